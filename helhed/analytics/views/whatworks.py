"""What works: efforts compared by type or by supplier, as a page and a CSV file.

The numbers are ``whatworks.compare``'s, shown as given: a group with fewer
than ``MIN_PERSONS`` citizens shows only its name, here and in the file. The
caveat about selection stands above the figures, because the figures only
describe who did better, not why. Which efforts a user compares is
``policy.what_works_efforts``: a leader the efforts her units supply, an
analyst, politician or the director the municipality's; front-line staff
compare nothing and get a page saying so (403).

The window defaults to the last 12 months, ending today. Dates are checked by
``WhatWorksFilters``, which the API uses too, so a bad date reads the same
everywhere: a 400 with the form's messages here, a 422 in the API.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import altair as alt
from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from helhed import policy
from helhed.analytics import whatworks
from helhed.analytics.views.benchmark import format_number
from helhed.analytics.whatworks import Comparison, Group, Grouping
from helhed.lib.charts import cached_svg
from helhed.lib.exports import spreadsheet_safe
from helhed.lib.validity import today
from helhed.plans.forms.meetings import DateInput
from helhed.plans.models import Effort

TEXT_TYPE = "text/plain; charset=utf-8"
CSV_TYPE = "text/csv; charset=utf-8"
# Far enough apart for any effort a municipality records; a year 1 or 9999 would only
# overflow the date arithmetic of the default window.
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)
CHART_WIDTH = 420
BAR_HEIGHT = 28
BAR_COLOUR = "#1f4e79"


def grouping_choices() -> list[tuple[str, str]]:
    return [("type", _("Type of effort")), ("supplier", _("Supplier"))]


def year_before(on: dt.date) -> dt.date:
    """The first day of the 12 months that end on ``on`` (29 February counts from 1 March)."""
    try:
        back = on.replace(year=on.year - 1)
    except ValueError:  # 29 February: last year had none
        back = on.replace(year=on.year - 1, day=28)
    return back + dt.timedelta(days=1)


# --------------------------------------------------------------------------- the filters


class WhatWorksFilters(forms.Form):
    """``by`` (type or supplier) and the window ``start``-``end``; every field optional.

    The defaults: by type, the 12 months that end today (or end on ``end``).
    """

    by = forms.ChoiceField(label=gettext_lazy("Compare by"), required=False)
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": gettext_lazy("Give a date as YYYY-MM-DD, e.g. 2025-01-31.")},
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": gettext_lazy("Give a date as YYYY-MM-DD, e.g. 2025-12-31.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by = self.fields["by"]
        assert isinstance(by, forms.ChoiceField)  # noqa: S101 - narrows for mypy
        by.choices = grouping_choices()
        by.error_messages["invalid_choice"] = _("Compare by type of effort or by supplier.")

    def _in_range(self, name: str) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get(name)
        if value is not None and not EARLIEST <= value <= LATEST:
            self.add_error(
                name,
                _("Give a date between %(first)s and %(last)s.")
                % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
            )
            return None
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = self._in_range("start"), self._in_range("end")
        if self.errors:
            return data
        end = end or today()
        start = start or year_before(end)
        if end < start:
            self.add_error("end", _("The window ends before it starts."))
            return data
        data["by"] = data.get("by") or "type"
        data["start"], data["end"] = start, end
        return data


def read_filters(data: QueryDict | dict[str, Any]) -> WhatWorksFilters:
    """The filters, validated: ``cleaned_data`` holds ``by``, ``start`` and ``end`` when valid."""
    form = WhatWorksFilters(data)
    form.is_valid()
    return form


def may_compare(efforts: QuerySet[Effort]) -> bool:
    """Whether the policy gave the user efforts to compare at all.

    Decided by the policy's answer, not by the data: a leader whose units
    ran no effort in the window may compare (and sees an empty page), while
    front-line staff get ``Effort.objects.none()``, an empty query that
    reaches no database.
    """
    return not efforts.query.is_empty()


def run(efforts: QuerySet[Effort], form: WhatWorksFilters) -> Comparison:
    data = form.cleaned_data
    by: Grouping = data["by"]
    return whatworks.compare(efforts, by=by, start=data["start"], end=data["end"])


# --------------------------------------------------------------------------- showing numbers


def percent(value: Decimal | None) -> str:
    return "–" if value is None else f"{format_number(value, 1)} %"


def signed(value: Decimal | None) -> str:
    """A change with its sign, so a gain reads as one: +4.4, and a loss with a minus sign."""
    if value is None:
        return "–"
    text = format_number(abs(value), 1)
    return f"+{text}" if value > 0 else f"\u2212{text}" if value < 0 else text


def chart_label(group: Group) -> str:
    """The group's name on the chart's axis, with the citizens its share rests on."""
    assert group.outcome is not None and group.citizens is not None  # noqa: S101 - plotted only
    return _("%(name)s (%(rated)d of %(citizens)d citizens)") % {
        "name": group.label,
        "rated": group.outcome.citizens,
        "citizens": group.citizens,
    }


@dataclass(frozen=True)
class Plotted:
    """A group on the chart, with the figures its accessible table repeats."""

    group: Group
    label: str
    share: str


def plotted(comparison: Comparison) -> list[Plotted]:
    """The groups with a share better off: shown, and with enough citizens rated."""
    return [
        Plotted(group, chart_label(group), percent(group.outcome.better_off_share))
        for group in comparison.groups
        if group.outcome is not None
    ]


def better_off_svg(rows: list[Plotted], name: str) -> str:
    """A horizontal bar per group on a 0-100 % axis; empty when no group has a share."""
    if not rows:
        return ""
    order = [row.label for row in rows]
    data = [
        {"label": row.label, "share": float(row.group.outcome.better_off_share)}
        for row in rows
        if row.group.outcome is not None
    ]
    bars = (
        alt.Chart(alt.Data(values=data))
        .mark_bar(color=BAR_COLOUR)
        .encode(
            y=alt.Y("label:N", title=None, sort=order, scale=alt.Scale(domain=order)),
            x=alt.X(
                "share:Q",
                title=_("Share better off (%)"),
                scale=alt.Scale(domain=[0, 100]),
            ),
        )
    )
    values = bars.mark_text(align="left", dx=4).encode(text=alt.Text("share:Q", format=".1f"))
    chart = (bars + values).properties(width=CHART_WIDTH, height=BAR_HEIGHT * len(rows))
    return cached_svg(chart.to_dict(), name)


def describe(comparison: Comparison) -> str:
    """The chart's and table's name: what is compared, over which window."""
    by = dict(grouping_choices())[comparison.by]
    return _("Share better off by %(by)s, %(start)s to %(end)s") % {
        "by": by.lower(),
        "start": comparison.start.isoformat(),
        "end": comparison.end.isoformat(),
    }


# --------------------------------------------------------------------------- the page


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "analytics/whatworks_forbidden.html", status=403)


@login_required
@require_GET
def what_works(request: HttpRequest) -> HttpResponse:
    """Efforts compared by type or supplier; bad filters are a 400 with the form's messages."""
    efforts = policy.what_works_efforts(request.user)
    if not may_compare(efforts):
        return _forbidden(request)
    form = read_filters(request.GET)
    context: dict[str, Any] = {"form": form, "caveat": whatworks.CAVEAT}
    if not form.is_valid():
        return render(request, "analytics/whatworks.html", context, status=400)
    comparison = run(efforts, form)
    rows = plotted(comparison)
    name = describe(comparison)
    context |= {
        # The window as run, defaults filled in, so the fields show what the figures cover.
        "form": WhatWorksFilters(
            initial={"by": comparison.by, "start": comparison.start, "end": comparison.end}
        ),
        "comparison": comparison,
        "by_label": dict(grouping_choices())[comparison.by].lower(),
        "groups": [table_row(group) for group in comparison.groups],
        "plotted": rows,
        "not_plotted": [
            g.label for g in comparison.groups if not g.suppressed and g.outcome is None
        ],
        "svg": better_off_svg(rows, name),
        "chart_name": name,
        "query": urlencode(
            {
                "by": comparison.by,
                "start": comparison.start.isoformat(),
                "end": comparison.end.isoformat(),
            }
        ),
    }
    return render(request, "analytics/whatworks.html", context)


def table_row(group: Group) -> dict[str, Any]:
    """The group's figures as the table prints them (a suppressed group has none)."""
    outcome, goals = group.outcome, group.goals
    return {
        "group": group,
        "mean_change": signed(outcome.mean_change if outcome else None),
        "improved": percent(outcome.improved_share if outcome else None),
        "better_off": percent(outcome.better_off_share if outcome else None),
        "deteriorated": percent(outcome.deteriorated_share if outcome else None),
        "moved": percent(goals.moved_share if goals else None),
        "achieved": percent(goals.achieved_share if goals else None),
    }


# --------------------------------------------------------------------------- the file


def header() -> list[str]:
    return [
        _("Group"),
        _("Key"),
        _("Citizens"),
        _("Efforts"),
        _("Ended"),
        _("Citizens with two ratings"),
        _("Mean change"),
        _("Reliably improved (%)"),
        _("Better off (%)"),
        _("Reliably deteriorated (%)"),
        _("Citizens with goals"),
        _("Goals"),
        _("Goals moved (%)"),
        _("Goals achieved (%)"),
        _("Not shown because"),
    ]


def _number(value: Decimal | int | None) -> str | int:
    return "" if value is None else value if isinstance(value, int) else str(value)


def export_row(group: Group, min_persons: int) -> list[str | int]:
    """One group as a row: a suppressed group is its name and the reason, nothing else."""
    name = spreadsheet_safe(group.label)
    if group.suppressed:
        reason = _("Fewer than %(n)d citizens") % {"n": min_persons}
        return [name, group.key, *[""] * 12, reason]
    outcome, goals = group.outcome, group.goals
    reasons = []
    if outcome is None:
        reasons.append(
            _("Outcome: fewer than %(n)d citizens with two ratings") % {"n": min_persons}
        )
    if goals is None:
        reasons.append(_("Goals: fewer than %(n)d citizens with goals") % {"n": min_persons})
    return [
        name,
        group.key,
        _number(group.citizens),
        _number(group.efforts),
        _number(group.ended),
        _number(outcome.citizens if outcome else None),
        _number(outcome.mean_change if outcome else None),
        _number(outcome.improved_share if outcome else None),
        _number(outcome.better_off_share if outcome else None),
        _number(outcome.deteriorated_share if outcome else None),
        _number(goals.citizens if goals else None),
        _number(goals.goals if goals else None),
        _number(goals.moved_share if goals else None),
        _number(goals.achieved_share if goals else None),
        "; ".join(reasons),
    ]


def as_csv(comparison: Comparison) -> bytes:
    """The table, then an empty line and the caveat: the file must not travel without it.

    Semicolons and UTF-8 with a byte order mark, like the dashboard's files.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header())
    for group in comparison.groups:
        writer.writerow(export_row(group, comparison.min_persons))
    writer.writerow([])
    writer.writerow([str(comparison.caveat)])
    return out.getvalue().encode("utf-8-sig")


@login_required
@require_GET
def what_works_csv(request: HttpRequest) -> HttpResponse:
    """The page's table as CSV."""
    efforts = policy.what_works_efforts(request.user)
    if not may_compare(efforts):
        return _forbidden(request)
    form = read_filters(request.GET)
    if not form.is_valid():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        return HttpResponseBadRequest(" ".join(messages), content_type=TEXT_TYPE)
    comparison = run(efforts, form)
    response = HttpResponse(as_csv(comparison), content_type=CSV_TYPE)
    filename = (
        f"helhed-what-works-{comparison.by}-{comparison.start.isoformat()}-"
        f"{comparison.end.isoformat()}.csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urlpatterns: list[URLPattern] = [
    path("what-works/", what_works, name="what_works"),
    path("what-works.csv", what_works_csv, name="what_works_csv"),
]
