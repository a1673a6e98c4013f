"""The computed sources against small fixtures whose answers are worked out by hand.

Every fixture sits in 2025-Q3 (1 July to 30 September 2025) for Bakkeskolen
(``school``) and the administration above it (``children_admin``).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from helhed.feedback.models import Rating, Scale
from helhed.plans.models import Action, Meeting, MeetingParticipant, Plan, Referral
from helhed.results import computations
from helhed.results.actions.measurements import do_compute
from helhed.results.models import Measurement
from helhed.results.periods import Period
from helhed.results.sources import Computed
from helhed.results.tests.test_catalogue_pages import CatalogueCase
from helhed.test import indicator, make_plan

Q3 = Period.parse("2025-Q3")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(
        dt.date.fromisoformat(day), dt.time(hour), tzinfo=timezone.get_current_timezone()
    )


def by_unit(values: list[Computed]) -> dict[str, Computed]:
    return {value.unit.name: value for value in values}


class SourceCase(CatalogueCase):
    def compute(self, code: str, *units: Any) -> dict[str, Computed]:
        ind = indicator(code)
        source = {
            "organisation.management_span": computations.management_span,
            "plans.referral_waiting_days": computations.referral_waiting_days,
            "plans.overdue_actions_share": computations.overdue_actions_share,
            "plans.network_meetings": computations.network_meetings,
            "feedback.reliable_improvement_share": computations.reliable_improvement_share,
        }[ind.computed_by]
        return by_unit(source(ind, list(units), [Q3]))

    def plan_with_school(self, citizen: Any) -> Plan:
        return make_plan(
            citizen, coordinator=self.caseworker, participants=[(self.teacher, self.school)]
        )


class ManagementSpanTests(SourceCase):
    def test_the_average_direct_reports_per_leader_in_the_subtree(self) -> None:
        found = self.compute("ledelsesspaend", self.school, self.children_admin)
        # Bakkeskolen: the leader has the teacher (1). Børn og Skole: the chief has the
        # school leader and the two case workers of the leaderless family department (3).
        assert found["Bakkeskolen"].value == Decimal(1)
        admin = found["Børn og Skole"]
        assert (admin.value, admin.numerator, admin.denominator) == (2, 4, 2)
        assert admin.persons is None


class ReferralWaitingTests(SourceCase):
    def referral(self, sent: str, decided: str | None, status: str, to: Any = None) -> Referral:
        return Referral.objects.create(
            citizen=self.alma,
            from_unit=self.family_dept if to is None else self.school,
            to_unit=to or self.school,
            sent_by=self.caseworker,
            question="Help with school",
            legal_basis="folkeskoleloven",
            status=status,
            sent_at=at(sent),
            decided_at=at(decided) if decided else None,
            rejection_reason="Not for us" if status == "rejected" else "",
        )

    def test_the_median_days_from_sent_to_decided_in_the_period(self) -> None:
        self.referral("2025-07-01", "2025-07-03", "accepted")  # 2 days
        self.referral("2025-08-01", "2025-08-06", "rejected")  # 5 days
        self.referral("2025-08-25", "2025-09-03", "accepted")  # 9 days
        self.referral("2025-06-01", "2025-06-30", "accepted")  # decided in Q2
        self.referral("2025-07-01", "2025-07-20", "withdrawn")  # not decided by the unit
        self.referral("2025-07-01", None, "sent")  # still open
        self.referral("2025-07-01", "2025-07-31", "accepted", to=self.family_dept)  # 30 days
        found = self.compute("ventetid-henvisninger", self.school, self.children_admin)
        assert (found["Bakkeskolen"].value, found["Bakkeskolen"].persons) == (5, 3)
        # The administration counts both of its units: 2, 5, 9, 30 -> (5 + 9) / 2.
        assert (found["Børn og Skole"].value, found["Børn og Skole"].persons) == (7, 4)

    def test_no_referrals_means_no_value(self) -> None:
        assert self.compute("ventetid-henvisninger", self.school) == {}


class OverdueActionTests(SourceCase):
    def test_the_share_of_actions_due_in_the_period_that_were_late(self) -> None:
        plan = self.plan_with_school(self.alma)

        def action(owner: Any, due: str, status: str, done: str | None = None) -> None:
            Action.objects.create(
                plan=plan,
                description="Follow up",
                owner=owner,
                due_on=dt.date.fromisoformat(due),
                status=status,
                done_on=dt.date.fromisoformat(done) if done else None,
            )

        action(self.teacher, "2025-07-10", "done", "2025-07-05")  # on time
        action(self.teacher, "2025-07-10", "done", "2025-07-20")  # done late
        action(self.teacher, "2025-08-01", "open")  # open after its due date
        action(self.teacher, "2025-08-01", "cancelled")  # not counted
        action(self.teacher, "2025-10-05", "open")  # due in Q4
        action(self.caseworker, "2025-09-01", "done", "2025-08-30")  # family department
        found = self.compute("overskredne-handlinger", self.school, self.children_admin)
        school = found["Bakkeskolen"]
        assert (school.numerator, school.denominator, school.persons) == (2, 3, 1)
        assert round(school.value, 3) == Decimal("66.667")
        admin = found["Børn og Skole"]
        assert (admin.numerator, admin.denominator, admin.value) == (2, 4, 50)


class NetworkMeetingTests(SourceCase):
    def test_meetings_held_in_the_period_with_the_family_present(self) -> None:
        plan = self.plan_with_school(self.alma)

        def meeting(day: str, status: str, family: bool | None) -> None:
            held = Meeting.objects.create(
                plan=plan, starts_at=at(day), status=status, created_by=self.caseworker
            )
            MeetingParticipant.objects.create(
                meeting=held, staff=self.teacher, name="Tom Thy", role="teacher", attended=True
            )
            if family is not None:
                MeetingParticipant.objects.create(
                    meeting=held, citizen=self.mother, name="Mette", role="mother", attended=family
                )

        meeting("2025-08-10", "held", True)  # counted
        meeting("2025-08-20", "held", False)  # the family did not come
        meeting("2025-09-01", "held", None)  # the family was not invited
        meeting("2025-09-10", "planned", True)  # not held
        meeting("2025-06-10", "held", True)  # in Q2
        found = self.compute("netvaerksmoeder", self.school, self.children_admin, self.root)
        assert found["Bakkeskolen"].value == 1
        assert found["Rudersdal Kommune"].value == 1
        # The coordinator takes part for no unit, so the family department has no plan.
        other = self.compute("netvaerksmoeder", self.family_dept)
        assert other["Familieafdelingen"].value == 0


class ReliableImprovementTests(SourceCase):
    def test_the_share_of_children_whose_latest_total_is_reliably_above_their_first(self) -> None:
        cors = Scale.objects.get(code="cors")  # reliable change 6
        alma_plan = self.plan_with_school(self.alma)
        bo_plan = self.plan_with_school(self.bror)

        def rating(plan: Plan, child: Any, day: str, total: str) -> None:
            Rating.objects.create(
                plan=plan,
                scale=cors,
                citizen=child,
                rated_on=dt.date.fromisoformat(day),
                scores=[5, 5, 5, 5],
                total=Decimal(total),
                given_by="the child",
            )

        rating(alma_plan, self.alma, "2025-03-01", "20")
        rating(alma_plan, self.alma, "2025-08-01", "26")  # +6: reliably better
        rating(alma_plan, self.alma, "2025-10-15", "10")  # after the period
        rating(bo_plan, self.bror, "2025-04-01", "20")
        rating(bo_plan, self.bror, "2025-09-01", "25.9")  # +5.9: not reliable
        found = self.compute("fit-paalidelig-fremgang", self.school)
        school = found["Bakkeskolen"]
        assert (school.numerator, school.denominator, school.persons, school.value) == (
            1,
            2,
            2,
            50,
        )

    def test_one_rating_is_not_a_series(self) -> None:
        plan = self.plan_with_school(self.alma)
        Rating.objects.create(
            plan=plan,
            scale=Scale.objects.get(code="cors"),
            citizen=self.alma,
            rated_on=dt.date(2025, 8, 1),
            scores=[5, 5, 5, 5],
            total=Decimal(20),
            given_by="Alma",
        )
        assert self.compute("fit-paalidelig-fremgang", self.school) == {}


class ComputeTests(SourceCase):
    def test_do_compute_stores_values_and_a_second_run_updates_without_duplicates(self) -> None:
        span = indicator("ledelsesspaend")
        units = [self.root, self.children_admin, self.school, self.family_dept]
        first = do_compute(span, units, [Q3, Q3.previous()], actor=self.director)
        # Root and Børn og Skole and Bakkeskolen have leaders; the family department has none.
        assert (first.created, first.updated) == (6, 0)
        second = do_compute(span, units, [Q3, Q3.previous()])
        assert (second.created, second.updated) == (0, 6)
        stored = Measurement.objects.filter(indicator=span)
        assert stored.count() == 6
        assert set(stored.values_list("source", flat=True)) == {"computed"}
        school = stored.get(unit_key=self.school.key, period="2025-Q3")
        assert school.value == Decimal(1) and school.source_detail == span.computed_by

    @translation.override("en")
    def test_the_command_computes_and_sums_up(self) -> None:
        out, err = io.StringIO(), io.StringIO()
        call_command(
            "compute_indicators",
            "--municipality",
            "230",
            "--indicator",
            "ledelsesspaend",
            "--since",
            "2025-Q2",
            "--until",
            "2025-Q3",
            stdout=out,
            stderr=err,
        )
        assert "2/2 ledelsesspaend 2025-Q3" in err.getvalue()
        assert out.getvalue().strip() == (
            "Computed 1 indicator for 4 units: 6 values added, 0 updated."
        )
        out = io.StringIO()
        call_command(
            "compute_indicators",
            "--municipality",
            "230",
            "--indicator",
            "ledelsesspaend",
            "--since",
            "2025-Q2",
            "--until",
            "2025-Q3",
            stdout=out,
            stderr=io.StringIO(),
        )
        assert "0 values added, 6 updated" in out.getvalue()
        assert Measurement.objects.count() == 6

    def test_the_command_defaults_to_the_last_8_complete_periods(self) -> None:
        out = io.StringIO()
        call_command(
            "compute_indicators",
            "--municipality",
            "230",
            "--indicator",
            "ledelsesspaend",
            stdout=out,
            stderr=io.StringIO(),
        )
        assert Measurement.objects.values("period").distinct().count() == 8

    def test_the_command_refuses_unknown_indicators(self) -> None:
        with self.assertRaises(CommandError):
            call_command(
                "compute_indicators",
                "--municipality",
                "230",
                "--indicator",
                "trivsel",
                stdout=io.StringIO(),
                stderr=io.StringIO(),
            )

    def test_compute_now_is_for_managers(self) -> None:
        span = indicator("ledelsesspaend")
        self.login(self.chief)
        assert self.post("indicator_compute", span.pk).status_code == 403
        self.login(self.outsider)
        assert self.post("indicator_compute", span.pk).status_code == 404
        self.login(self.director)
        assert self.get("indicator_compute", span.pk).status_code == 405
        assert not Measurement.objects.exists()
        response = self.client.post(self.url("indicator_compute", span.pk), follow=True)
        self.assertContains(response, "Computed: ")
        assert Measurement.objects.filter(indicator=span).count() > 0
