"""Pages: contacts, the contact map and the coordinator's list.

* ``contacts/citizen/<id>/``: the contact map ("the red thread"): every
  professional and unit in touch with the citizen, by sector and unit, and the
  contacts of the last 12 months. Staff who may see the citizen only (404
  otherwise); every view is logged as a read of the citizen.
* ``contacts/citizen/<id>/new/``: log a contact for one of your units today.
* ``contacts/to-see/``: "Contacts with your families": contacts by other units
  with the citizens you coordinate, which you mark seen (only you: 403 for
  others who may see the contact, 404 for the rest).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.audit import trail
from helhed.lib.views import query_without_page
from helhed.organisation.models import Staff
from helhed.plans.actions import contacts as actions
from helhed.plans.forms.contacts import ContactForm, ToSeeFilterForm
from helhed.plans.models import Contact

CONTACTS_PER_PAGE = 25


def _staff_or_403(request: HttpRequest) -> Staff:
    staff = policy.staff_for(request.user)
    if staff is None:
        raise PermissionDenied(_("Only staff log contacts."))
    return staff


@login_required
@require_GET
def contact_map(request: HttpRequest, citizen_id: int) -> HttpResponse:
    """Everyone in touch with the citizen, grouped by sector and unit, and the recent contacts."""
    citizen = policy.get_citizen_for_contact_map(request.user, citizen_id)
    the_map = actions.contact_map(citizen)
    contacts = actions.recent_contacts(citizen)
    page = Paginator(contacts, CONTACTS_PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "citizen": citizen,
        "map": the_map,
        "page": page,
        "querystring": query_without_page(request),
        "can_log": policy.can_log_contact(request.user, citizen)
        and policy.contact_units(request.user).exists(),
    }
    return render(request, "plans/contact_map.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def contact_create(request: HttpRequest, citizen_id: int) -> HttpResponse:
    """Log a contact with the citizen; a coordinator in another unit is told."""
    citizen = policy.get_citizen_for_contact_map(request.user, citizen_id)
    staff = _staff_or_403(request)
    units = policy.contact_units(request.user)
    if not policy.can_log_contact(request.user, citizen) or not units.exists():
        raise PermissionDenied(_("You hold no role in a unit today, so you cannot log a contact."))
    form = ContactForm(request.POST if request.method == "POST" else None, units=units)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                contact = actions.do_log_contact(actor=staff, citizen=citizen, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                if contact.coordinator is not None:
                    messages.success(
                        request,
                        _("The contact is logged, and %(name)s, who coordinates, is told.")
                        % {"name": contact.coordinator.full_name},
                    )
                else:
                    messages.success(request, _("The contact is logged."))
                return redirect("plans:contact_map", citizen_id=citizen.pk)
    context: dict[str, Any] = {
        "citizen": citizen,
        "form": form,
        "coordinators": list(policy.coordinators_of_record(citizen)),
    }
    return render(request, "plans/contact_create.html", context, status=status)


@login_required
@require_GET
def contacts_to_see(request: HttpRequest) -> HttpResponse:
    """Contacts by other units with the families the user coordinates; unseen first."""
    filters = ToSeeFilterForm(request.GET)
    contacts = policy.contacts_sent_to(request.user)
    show = filters.value("show")
    if show == "seen":
        contacts = contacts.filter(coordinator_seen_on__isnull=False)
    elif show != "all":
        contacts = contacts.filter(coordinator_seen_on__isnull=True)
    contacts = actions.search_contacts(contacts, filters.value("q"))
    readable = policy.visible_citizens(request.user).filter(pk=OuterRef("citizen_id"))
    rows = (
        contacts.annotate(readable=Exists(readable))
        .select_related("citizen", "staff", "unit")
        .order_by("-contacted_on", "-pk")
    )
    page = Paginator(rows, CONTACTS_PER_PAGE).get_page(request.GET.get("page"))
    trail.log_list(
        request.user,
        [c.citizen_id for c in page if getattr(c, "readable", False)],
        what="plans:contacts_to_see",
    )
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "querystring": query_without_page(request),
        "waiting": policy.contacts_to_see(request.user).count(),
        "searched": bool(filters.value("q")),
    }
    return render(request, "plans/contact_to_see.html", context)


@login_required
@require_POST
def contact_seen(request: HttpRequest, contact_id: int) -> HttpResponse:
    """The coordinator marks a contact seen."""
    contact: Contact = policy.get_contact_for_user(request.user, contact_id)
    staff = _staff_or_403(request)
    if not policy.can_mark_contact_seen(request.user, contact):
        raise PermissionDenied(_("Only the coordinator the contact was sent to marks it seen."))
    actions.do_mark_contact_seen(actor=staff, contact=contact)
    messages.success(request, _("The contact is marked seen."))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("plans:contacts_to_see")


urlpatterns: list[URLPattern] = [
    path("contacts/to-see/", contacts_to_see, name="contacts_to_see"),
    path("contacts/citizen/<int:citizen_id>/", contact_map, name="contact_map"),
    path("contacts/citizen/<int:citizen_id>/new/", contact_create, name="contact_create"),
    path("contacts/<int:contact_id>/seen/", contact_seen, name="contact_seen"),
]
