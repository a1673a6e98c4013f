"""Pages of the rule register: the list, my rules to review, one rule, registering and deciding.

Every staff member of the municipality reads the register (a rule nobody can
read cannot be questioned); 404 for anyone else and for another
municipality's rules. Leaders and analysts register rules
(``policy.can_register_rule``, 403 otherwise); the owner or a leader of the
owning unit or above decides on one (``policy.can_decide_rule``, 403 for the
rest of the staff, and for everyone once the rule is repealed).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.leadership.actions import rules as actions
from helhed.leadership.forms.rules import RuleDecisionForm, RuleFilterForm, RuleForm
from helhed.leadership.models import Rule
from helhed.lib.validity import today
from helhed.lib.views import query_without_page

RULES_PER_PAGE = 25


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    """The municipality's rules, searchable and filtered; those past review stand out."""
    policy.staff_with_role_or_404(request.user)
    visible = policy.visible_rules(request.user)
    areas = sorted(set(visible.values_list("area", flat=True)))
    filters = RuleFilterForm(request.GET, areas=areas)
    rules = actions.search_rules(visible, filters.value("q"))
    for name in ("status", "kind", "area"):
        if filters.value(name):
            rules = rules.filter(**{name: filters.value(name)})
    if filters.value("past_review"):
        rules = actions.past_review(rules)
    rules = rules.select_related("owner", "owning_unit").order_by("status", "review_on", "title")
    page = Paginator(rules, RULES_PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "filters": filters,
        "querystring": query_without_page(request),
        "searched": any(filters.value(name) for name in filters.fields),
        "can_register": policy.can_register_rule(request.user),
        "today": today(),
    }
    return render(request, "leadership/rule_list.html", context)


@login_required
@require_GET
def rule_mine(request: HttpRequest) -> HttpResponse:
    """My rules to review: owned by me or by units I lead, past review or due within 30 days."""
    policy.staff_with_role_or_404(request.user)
    rules = actions.due_for_review(policy.rules_owned_or_led(request.user)).select_related(
        "owner", "owning_unit"
    )
    page = Paginator(rules, RULES_PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "querystring": "",
        "days": actions.DUE_WITHIN_DAYS,
        "today": today(),
    }
    return render(request, "leadership/rule_mine.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    """Register a rule with reason, owner and review date; adoption is its first decision."""
    staff = policy.staff_with_role_or_404(request.user)
    if not policy.can_register_rule(request.user):
        raise PermissionDenied(_("Only leaders and analysts register rules."))
    owning_units = policy.rule_owning_units(request.user).order_by("path")
    first_unit = owning_units.first()
    form = RuleForm(
        request.POST if request.method == "POST" else None,
        owners=policy.rule_owner_candidates(request.user).order_by("first_name", "last_name"),
        owning_units=owning_units,
        units=policy.visible_units(request.user).valid_on(today()).order_by("path"),
        initial={"owner": staff.pk, "owning_unit": first_unit.pk if first_unit else None},
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                rule = actions.do_register_rule(actor=staff, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The rule is registered."))
                return redirect("leadership:rule", rule_id=rule.pk)
    areas = sorted(set(policy.visible_rules(request.user).values_list("area", flat=True)))
    context = {"form": form, "areas": areas}
    return render(request, "leadership/rule_create.html", context, status=status)


def _detail(
    request: HttpRequest, rule: Rule, form: RuleDecisionForm | None = None, status: int = 200
) -> HttpResponse:
    can_decide = policy.can_decide_rule(request.user, rule)
    if can_decide and form is None:
        form = RuleDecisionForm(initial={"new_text": rule.text})
    context = {
        "rule": rule,
        "units": rule.units.order_by("path"),
        "decisions": actions.history(rule),
        "can_decide": can_decide,
        "form": form,
        "past_review": rule.is_past_review(),
    }
    return render(request, "leadership/rule_detail.html", context, status=status)


@login_required
@require_GET
def rule_detail(request: HttpRequest, rule_id: int) -> HttpResponse:
    """One rule with its reason and its whole decision history, repealed or not."""
    return _detail(request, policy.get_rule_for_user(request.user, rule_id))


@login_required
@require_POST
def rule_decide(request: HttpRequest, rule_id: int) -> HttpResponse:
    """Keep, change or repeal the rule, with a reason."""
    rule = policy.get_rule_for_user(request.user, rule_id)
    if not policy.can_decide_rule(request.user, rule):
        raise PermissionDenied(
            _("Only the rule's owner or a leader of its unit or above decides on a rule in force.")
        )
    form = RuleDecisionForm(request.POST)
    if form.is_valid():
        try:
            actions.do_decide_rule(
                actor=policy.staff_with_role_or_404(request.user), rule=rule, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The decision is recorded."))
            return redirect("leadership:rule", rule_id=rule.pk)
    return _detail(request, rule, form, status=422)


urlpatterns: list[URLPattern] = [
    path("rules/", rule_list, name="rules"),
    path("rules/mine/", rule_mine, name="rules_mine"),
    path("rules/new/", rule_create, name="rule_create"),
    path("rules/<int:rule_id>/", rule_detail, name="rule"),
    path("rules/<int:rule_id>/decide/", rule_decide, name="rule_decide"),
]
