"""Pages: the obstacle board: items raised, taken, escalated, resolved.

"Everyone can see the board of their forum": a forum's members and the staff
with a role in one of its units or beneath see its board and items, and the
one who raised an item sees it wherever it moved (``policy.visible_items``);
everyone else gets 404. Any staff member raises an item on an active forum of
the municipality. A leader who is a member of the forum takes an open item
(``policy.can_take_item``); the one who took it, or the chair, resolves,
declines or escalates it (``policy.can_settle_item``); the rest get 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from helhed import policy
from helhed.forums.actions import board as actions
from helhed.forums.forms.board import BoardFilterForm, ItemForm, SettleForm
from helhed.forums.models import Forum, Item, ItemEvent
from helhed.lib.validity import today
from helhed.lib.views import parse_id, query_without_page

ITEMS_PER_PAGE = 25


def _rows(items: QuerySet[Item]) -> QuerySet[Item]:
    return items.select_related("forum", "raised_by", "taken_by")


def _board(
    request: HttpRequest, forum: Forum, form: ItemForm | None = None, status: int = 200
) -> HttpResponse:
    items = forum.items.all()
    filters = BoardFilterForm(request.GET)
    closed = actions.search_items(actions.closed_items(items), filters.value("q"))
    for name in ("status", "category"):
        if filters.value(name):
            closed = closed.filter(**{name: filters.value(name)})
    open_rows = list(_rows(actions.open_items(items)))
    can_raise = forum.is_active and policy.can_raise_item(request.user)
    if can_raise and form is None:
        form = ItemForm(forums=policy.raise_forums(request.user), initial={"forum": forum.pk})
    context: dict[str, Any] = {
        "forum": forum,
        "waiting": [i for i in open_rows if i.status == Item.Status.OPEN],
        "taken": [i for i in open_rows if i.status == Item.Status.TAKEN],
        "page": Paginator(_rows(closed), ITEMS_PER_PAGE).get_page(request.GET.get("page")),
        "filters": filters,
        "querystring": query_without_page(request),
        "searched": any(filters.value(name) for name in filters.fields),
        "stats": actions.board_stats(forum),
        "window": actions.MEDIAN_WINDOW_DAYS,
        "form": form if can_raise else None,
        "is_member": policy.assessment_forums(request.user).filter(pk=forum.pk).exists(),
        "today": today(),
    }
    return render(request, "forums/board_detail.html", context, status=status)


@login_required
@require_GET
def board_detail(request: HttpRequest, forum_id: int) -> HttpResponse:
    """A forum's board: open items by status with their age, the closed ones, a form to raise."""
    policy.staff_with_role_or_404(request.user)
    return _board(request, policy.get_board_for_user(request.user, forum_id))


@login_required
@require_http_methods(["GET", "POST"])
def item_raise(request: HttpRequest) -> HttpResponse:
    """Raise an obstacle or a matter on a forum's board."""
    staff = policy.staff_with_role_or_404(request.user)
    forums = policy.raise_forums(request.user)
    initial: dict[str, Any] = {}
    wanted = parse_id(request.GET.get("forum", ""))
    if wanted is not None:
        initial["forum"] = forums.filter(pk=wanted).values_list("pk", flat=True).first()
    form = ItemForm(
        request.POST if request.method == "POST" else None, forums=forums, initial=initial
    )
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                item = actions.do_raise_item(actor=staff, **form.cleaned_data)
            except ValidationError as exc:
                form.add_action_errors(exc)
            else:
                messages.success(request, _("The item is on the board."))
                return redirect("forums:item", item_id=item.pk)
    return render(request, "forums/board_raise.html", {"form": form}, status=status)


def _item_page(
    request: HttpRequest, item: Item, form: SettleForm | None = None, status: int = 200
) -> HttpResponse:
    can_settle = policy.can_settle_item(request.user, item)
    if can_settle and form is None:
        form = SettleForm()
    context: dict[str, Any] = {
        "item": item,
        "chapters": actions.history_by_forum(item),
        "can_see_board": policy.can_view_board(request.user, item.forum),
        "can_take": policy.can_take_item(request.user, item),
        "can_settle": can_settle,
        "escalates_to": item.forum.escalates_to,
        "form": form if can_settle else None,
        "days_open": item.days_open(),
    }
    return render(request, "forums/board_item.html", context, status=status)


@login_required
@require_GET
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    """One item with its whole history, forum by forum."""
    policy.staff_with_role_or_404(request.user)
    return _item_page(request, policy.get_item_for_user(request.user, item_id))


@login_required
@require_POST
def item_take(request: HttpRequest, item_id: int) -> HttpResponse:
    staff = policy.staff_with_role_or_404(request.user)
    item = policy.get_item_for_user(request.user, item_id)
    if not policy.can_take_item(request.user, item):
        raise PermissionDenied(
            _("Only a leader who is a member of the forum takes an item nobody has taken.")
        )
    try:
        actions.do_take_item(actor=staff, item=item)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _item_page(request, item, status=422)
    messages.success(request, _("You have taken the item."))
    return redirect("forums:item", item_id=item.pk)


@login_required
@require_POST
def item_settle(request: HttpRequest, item_id: int) -> HttpResponse:
    """Resolve, decline or escalate the item, with a reason."""
    staff = policy.staff_with_role_or_404(request.user)
    item = policy.get_item_for_user(request.user, item_id)
    if not policy.can_settle_item(request.user, item):
        raise PermissionDenied(
            _("Only the one who took the item, or the forum's chair, settles or escalates it.")
        )
    form = SettleForm(request.POST)
    if form.is_valid():
        action = actions.SETTLE_ACTIONS[form.cleaned_data["outcome"]]
        try:
            item = action(actor=staff, item=item, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_action_errors(exc)
        else:
            messages.success(request, _("The item is updated."))
            if policy.can_view_item(request.user, item):
                return redirect("forums:item", item_id=item.pk)
            return redirect("forums:obstacles_mine")
    return _item_page(request, item, form, status=422)


@login_required
@require_GET
def obstacles_mine(request: HttpRequest) -> HttpResponse:
    """What I raised, wherever it is now, and what I took (as far as I still see it)."""
    staff = policy.staff_with_role_or_404(request.user)
    visible = policy.visible_items(request.user)
    raised = visible.filter(raised_by=staff).order_by("-raised_on", "-pk")
    taken = visible.filter(
        pk__in=ItemEvent.objects.filter(kind=ItemEvent.Kind.TAKEN, by=staff).values("item_id")
    ).order_by("-raised_on", "-pk")
    context: dict[str, Any] = {
        "raised": Paginator(_rows(raised), ITEMS_PER_PAGE).get_page(request.GET.get("page")),
        "taken": Paginator(_rows(taken), ITEMS_PER_PAGE).get_page(request.GET.get("taken_page")),
        "raised_query": query_without_page(request, "page"),
        "taken_query": query_without_page(request, "taken_page"),
        "boards": policy.visible_boards(request.user).order_by("name"),
        "today": today(),
    }
    return render(request, "forums/board_mine.html", context)


urlpatterns: list[URLPattern] = [
    path("<int:forum_id>/board/", board_detail, name="board"),
    path("obstacles/mine/", obstacles_mine, name="obstacles_mine"),
    path("obstacles/new/", item_raise, name="item_raise"),
    path("obstacles/<int:item_id>/", item_detail, name="item"),
    path("obstacles/<int:item_id>/take/", item_take, name="item_take"),
    path("obstacles/<int:item_id>/settle/", item_settle, name="item_settle"),
]
