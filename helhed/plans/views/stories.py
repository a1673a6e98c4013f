"""Everyday stories: written into a plan, and shared anonymised when a leader agrees.

Staff who may see a plan read its stories in full; its coordinator and
participants write them. The author proposes an anonymised version; a leader
of the author's unit reads only that version and decides. Shared stories are
read by all staff of the municipality, anonymised text only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.plans.actions.stories import (
    do_decide_story,
    do_propose_story_for_sharing,
    do_write_story,
)
from helhed.plans.forms.stories import ProposeStoryForm, StoryForm
from helhed.plans.models import Story


@login_required
@require_GET
def story_list(request: HttpRequest) -> HttpResponse:
    """Shared anonymised stories of the municipality, and a leader's stories to decide on."""
    if policy.staff_for(request.user) is None:
        raise PermissionDenied(_("Only staff can read the shared stories."))
    context: dict[str, Any] = {
        # Only the columns that may be shown: never the plan, the names or the original text.
        "shared": policy.shared_stories(request.user)
        .only("pk", "title", "anonymised_text", "written_on")
        .order_by("-written_on", "-pk")[:100],
        "to_decide": policy.stories_to_decide(request.user)
        .select_related("sharing_unit")
        .only("pk", "title", "anonymised_text", "written_on", "sharing_unit__name")
        .order_by("written_on", "pk"),
        "leads": policy.led_units(request.user).exists(),
    }
    return render(request, "plans/story_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def story_create(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Write an everyday story into the plan."""
    plan = policy.get_plan_for_user(request.user, plan_id)
    staff = policy.staff_for(request.user)
    if staff is None or not policy.can_edit_plan(request.user, plan):
        raise PermissionDenied(_("Only the plan's coordinator and participants can do this."))
    form = StoryForm(request.POST if request.method == "POST" else None, goals=plan.goals.all())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                story = do_write_story(actor=staff, plan=plan, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The story is saved in the plan."))
                return redirect("plans:story_detail", story_id=story.pk)
        status = 400
    return render(request, "plans/story_create.html", {"plan": plan, "form": form}, status=status)


@login_required
@require_GET
def story_detail(request: HttpRequest, story_id: int) -> HttpResponse:
    """One story in full, for staff who may see its plan."""
    story = policy.get_story_for_user(request.user, story_id)
    staff = policy.staff_for(request.user)
    context = {
        "story": story,
        "plan": story.plan,
        "can_propose": staff is not None
        and story.written_by_id == staff.pk
        and story.sharing != Story.Sharing.SHARED,
    }
    return render(request, "plans/story_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def story_propose(request: HttpRequest, story_id: int) -> HttpResponse:
    """The author proposes an anonymised version of their story for sharing."""
    story = policy.get_story_for_user(request.user, story_id)
    staff = policy.staff_for(request.user)
    if staff is None or story.written_by_id != staff.pk:
        raise PermissionDenied(_("Only the author can propose a story for sharing."))
    form = ProposeStoryForm(
        request.POST if request.method == "POST" else None,
        initial={"anonymised_text": story.anonymised_text},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                do_propose_story_for_sharing(
                    actor=staff, story=story, anonymised_text=form.cleaned_data["anonymised_text"]
                )
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(
                    request, _("The story is proposed for sharing; a leader will decide.")
                )
                return redirect("plans:story_detail", story_id=story.pk)
        status = 400
    return render(
        request, "plans/story_propose.html", {"story": story, "form": form}, status=status
    )


@login_required
@require_POST
def story_decide(request: HttpRequest, story_id: int) -> HttpResponse:
    """A leader of the author's unit shares the anonymised story, or declines to."""
    story = policy.get_story_to_decide(request.user, story_id)
    staff = policy.staff_for(request.user)
    decision = request.POST.get("decision")
    if staff is None or decision not in ("share", "decline"):
        messages.error(request, _("Choose to share the story or not."))
        return render(
            request,
            "plans/story_list.html",
            {"shared": [], "to_decide": [story], "leads": True},
            status=400,
        )
    try:
        do_decide_story(actor=staff, story=story, share=decision == "share")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("plans:stories")
    if decision == "share":
        messages.success(request, _("The story is shared anonymised."))
    else:
        messages.success(request, _("The story is not shared."))
    return redirect("plans:stories")


urlpatterns: list[URLPattern] = [
    path("stories/", story_list, name="stories"),
    path("stories/<int:story_id>/", story_detail, name="story_detail"),
    path("stories/<int:story_id>/propose/", story_propose, name="story_propose"),
    path("stories/<int:story_id>/decide/", story_decide, name="story_decide"),
    path("plans/<int:plan_id>/stories/new/", story_create, name="story_create"),
]
