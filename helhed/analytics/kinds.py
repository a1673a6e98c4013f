"""The kinds of observation the store holds, and what each one's value means.

An observation is one fact about one pseudonymised person at one unit on one
day: a pupil's absent day, a child's notification, an employee's sick day.
The kinds are a closed list so that a file with a misspelt kind is refused
at load time instead of silently counting nothing. ``docs/analytics.md``
documents the same list for whoever exports data to Helhed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Kind:
    code: str
    label: StrOrPromise
    value: StrOrPromise
    low: float
    high: float


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "enrolment",
            _("Pupil enrolled at a school in a quarter"),
            _("planned school days"),
            0,
            92,
        ),
        Kind("absence_day", _("A pupil's day of absence"), _("share of the day (0-1)"), 0, 1),
        Kind("special_class", _("Pupil taught in a special class or school"), _("1"), 1, 1),
        Kind("grade_danish", _("Exam grade in Danish, 9th grade"), _("average grade"), -3, 12),
        Kind("grade_maths", _("Exam grade in mathematics, 9th grade"), _("average grade"), -3, 12),
        Kind("wellbeing_pupil", _("A pupil's well-being answer"), _("score 1-5"), 1, 5),
        Kind(
            "youth_education_18",
            _("Youth education status in the year of turning 18"),
            _("1 in or through, 0 not"),
            0,
            1,
        ),
        Kind(
            "child_resident",
            _("A child 0-17 living in the unit's district on 1 January"),
            _("1"),
            1,
            1,
        ),
        Kind("notification", _("A notification (underretning) received"), _("1"), 1, 1),
        Kind("placement_start", _("A placement outside the home starts"), _("1"), 1, 1),
        Kind("placement_end", _("A placement outside the home ends"), _("1"), 1, 1),
        Kind("lost_earnings_payment", _("A payment for lost earnings"), _("DKK"), 0, 10_000_000),
        Kind(
            "staff_workdays", _("An employee's planned working days in a quarter"), _("days"), 0, 92
        ),
        Kind(
            "staff_sickness_day",
            _("An employee's day of sickness"),
            _("share of the day (0-1)"),
            0,
            1,
        ),
        Kind("staff_wellbeing", _("An employee's well-being answer"), _("score 1-100"), 1, 100),
    )
}

SEXES = ("F", "M")

# Age on 31 December of the period's year, in bands; the dashboards' age filter.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-5", 0, 5),
    ("6-11", 6, 11),
    ("12-17", 12, 17),
    ("18-29", 18, 29),
    ("30+", 30, 200),
)
