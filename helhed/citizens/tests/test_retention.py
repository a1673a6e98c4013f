"""Retention: what has passed its period goes, what is inside it or kept by law stays, all logged.

Each rule is tested at its edge: a record one day past the period is erased,
one that reached the period today is kept, and one the law keeps is kept.
The audit log must name every erased row once (ERASE/ANONYMISE, not a second
DELETE) and the chain must still verify afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from io import StringIO
from typing import Any
from unittest import mock

from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone, translation

from helhed.api.models import ApiToken
from helhed.audit import codes, tracking
from helhed.audit.chain import verify
from helhed.audit.models import AuditEntry
from helhed.audit.trail import Entry, log_many
from helhed.citizens.actions import do_rotate_cpr_keys
from helhed.citizens.models import Citizen, Consent, Engagement, FamilyLink
from helhed.feedback.models import Rating, Scale
from helhed.lib import retention
from helhed.lib.periods import env_periods, parse_period, years
from helhed.lib.validity import today
from helhed.organisation.models import Sector
from helhed.plans.models import (
    Action,
    Concern,
    ConcernEvent,
    Decision,
    Effort,
    Goal,
    Meeting,
    MeetingParticipant,
    Notification,
    Plan,
    PlanMember,
    PlanVersion,
    Referral,
    Story,
)
from helhed.test import BaseTestCase, engage, make_citizen, make_family_login, make_plan


def past(period_years: int, extra_days: int = 0) -> dt.date:
    """The day ``period_years`` before today, and ``extra_days`` further back."""
    return years(period_years).before(today()) - dt.timedelta(days=extra_days)


def at(day: dt.date) -> dt.datetime:
    """Noon on ``day`` where the municipality is."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def rule(code: str) -> retention.RetentionRule:
    return retention.REGISTRY[code]


def counts(code: str, on: dt.date | None = None) -> tuple[int, int]:
    """(erasable, kept by law) for one rule as of ``on`` (today by default)."""
    outcome = retention.evaluate(rule(code), on or today())
    return outcome.erasable, outcome.kept


def apply_retention() -> str:
    out = StringIO()
    call_command("retention", "--apply", stdout=out, stderr=StringIO())
    return out.getvalue()


class RetentionTestCase(BaseTestCase):
    def erase_entries(self, obj: Any) -> list[AuditEntry]:
        return list(
            AuditEntry.objects.filter(
                object_type=obj._meta.label_lower, object_id=str(obj.pk)
            ).filter(action__in=[codes.ERASE, codes.ANONYMISE, codes.DELETE])
        )

    def close_plan(self, plan: Plan, closed_on: dt.date) -> Plan:
        Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.CLOSED, closed_on=closed_on)
        PlanMember.objects.filter(plan=plan).update(is_active=False)
        plan.refresh_from_db()
        return plan

    def make_concern(self, citizen: Citizen, *, closed: dt.date | None, **fields: Any) -> Concern:
        concern = Concern.objects.create(
            citizen=citizen,
            unit=self.school,
            raised_by=self.teacher,
            observation="Kom uden madpakke.",
            category=Concern.Category.WELLBEING,
            severity=Concern.Severity.LOW,
            follow_up_owner=self.teacher,
            follow_up_on=today(),
            status=Concern.Status.CLOSED if closed else Concern.Status.OPEN,
            **fields,
        )
        ConcernEvent.objects.create(
            concern=concern, kind=ConcernEvent.Kind.LOGGED, actor=self.teacher
        )
        if closed:
            ConcernEvent.objects.create(
                concern=concern, kind=ConcernEvent.Kind.CLOSED, actor=self.teacher, at=at(closed)
            )
        return concern

    def make_referral(self, citizen: Citizen, **fields: Any) -> Referral:
        data: dict[str, Any] = {
            "citizen": citizen,
            "from_unit": self.school,
            "to_unit": self.family_dept,
            "sent_by": self.teacher,
            "question": "Hjælp til Bo",
            "legal_basis": "folkeskoleloven",
        }
        data.update(fields)
        return Referral.objects.create(**data)


# --------------------------------------------------------------------------- plans


class PlanRuleTests(RetentionTestCase):
    def fill(self, plan: Plan, citizen: Citizen) -> None:
        """Everything a plan holds, so that the test sees it all go."""
        Goal.objects.create(
            plan=plan,
            citizen=citizen,
            text="Bo vil have en ven",
            formulated_by=Goal.FormulatedBy.CHILD,
            formulated_by_name="Bo",
            target_date=today(),
        )
        Effort.objects.create(
            plan=plan,
            citizen=citizen,
            title="Støttetimer",
            sector=Sector.objects.get(code="school"),
            responsible_unit=self.school,
            legal_basis="folkeskoleloven",
            starts_on=past(8),
        )
        meeting = Meeting.objects.create(
            plan=plan, starts_at=at(past(6)), created_by=self.caseworker
        )
        MeetingParticipant.objects.create(meeting=meeting, citizen=citizen, name="Bo", role="barn")
        decision = Decision.objects.create(meeting=meeting, text="Bo får en makker")
        Action.objects.create(
            plan=plan,
            meeting=meeting,
            decision=decision,
            description="Find en makker",
            owner=self.teacher,
            due_on=past(6),
        )
        Story.objects.create(
            plan=plan, title="Frikvarteret", text="Bo legede med Ali", written_by=self.teacher
        )
        Rating.objects.create(
            plan=plan,
            scale=Scale.objects.get(code="ors"),
            citizen=citizen,
            scores=[5, 5, 5, 5],
            total=Decimal(20),
            given_by="Bo",
        )

    def test_a_plan_closed_just_over_five_years_ago_goes_with_everything_in_it(self) -> None:
        plan = make_plan(self.bror, coordinator=self.caseworker, title="Bo i skolen")
        self.fill(plan, self.bror)
        concern = self.make_concern(self.bror, closed=None, plan=plan)
        Concern.objects.filter(pk=concern.pk).update(status=Concern.Status.PLAN)
        referral = self.make_referral(
            self.bror, plan=plan, status=Referral.Status.ACCEPTED, access_until=today()
        )
        self.close_plan(plan, past(5, 1))
        self.assertEqual(counts("plans.plan"), (1, 0))

        output = apply_retention()

        self.assertIn("plans.plan", output)
        self.assertFalse(Plan.objects.filter(pk=plan.pk).exists())
        for model in (
            PlanMember,
            Goal,
            Effort,
            Meeting,
            Action,
            Story,
            Rating,
            PlanVersion,
        ):
            self.assertFalse(model.objects.filter(plan_id=plan.pk).exists(), model)
        self.assertFalse(Decision.objects.exists())
        self.assertFalse(MeetingParticipant.objects.exists())
        self.assertFalse(Concern.objects.filter(pk=concern.pk).exists())
        self.assertFalse(Referral.objects.filter(pk=referral.pk).exists())
        # The citizen stays: other records (and the log) refer to Bo.
        self.assertTrue(Citizen.objects.filter(pk=self.bror.pk, first_name="Bo").exists())

        (root,) = self.erase_entries(plan)
        self.assertEqual(root.action, codes.ERASE)
        self.assertEqual(root.citizen_id, self.bror.pk)
        self.assertEqual(root.source, retention.SOURCE)
        self.assertEqual(root.actor, "system")
        self.assertEqual(root.detail["rule"], "plans.plan")
        self.assertEqual(root.detail["removed"]["feedback.rating"], 1)
        self.assertEqual(root.detail["removed"]["plans.goal"], 1)
        self.assertIn("plans.planversion", root.detail["removed"])
        (concern_entry,) = self.erase_entries(concern)
        self.assertEqual(
            concern_entry.detail, {"rule": "plans.plan", "with": f"plans.plan:{plan.pk}"}
        )
        self.assertEqual(concern_entry.citizen_id, self.bror.pk)
        self.assertTrue(verify().ok)

    def test_a_plan_closed_exactly_five_years_ago_is_kept_until_tomorrow(self) -> None:
        plan = self.close_plan(make_plan(self.bror, coordinator=self.caseworker), past(5))
        self.assertEqual(counts("plans.plan"), (0, 0))
        self.assertEqual(counts("plans.plan", today() + dt.timedelta(days=1)), (1, 0))
        apply_retention()
        self.assertTrue(Plan.objects.filter(pk=plan.pk).exists())

    def test_a_closed_plan_is_kept_while_its_citizen_has_another_active_plan(self) -> None:
        old = self.close_plan(make_plan(self.alma, coordinator=self.caseworker), past(9))
        make_plan(self.alma, coordinator=self.caseworker, title="Alma igen")
        self.assertEqual(counts("plans.plan"), (0, 1))
        apply_retention()
        self.assertTrue(Plan.objects.filter(pk=old.pk).exists())

    def test_a_closed_plan_is_kept_while_its_citizen_has_an_open_referral(self) -> None:
        old = self.close_plan(make_plan(self.bror, coordinator=self.caseworker), past(9))
        self.make_referral(self.bror)
        self.assertEqual(counts("plans.plan"), (0, 1))
        apply_retention()
        self.assertTrue(Plan.objects.filter(pk=old.pk).exists())

    def test_an_active_plan_is_never_due(self) -> None:
        plan = make_plan(self.bror, coordinator=self.caseworker)
        Plan.objects.filter(pk=plan.pk).update(started_on=past(20))
        self.assertEqual(counts("plans.plan"), (0, 0))


# --------------------------------------------------------------------------- concerns


class ConcernRuleTests(RetentionTestCase):
    def test_a_concern_closed_just_over_two_years_ago_goes_with_its_history(self) -> None:
        gone = self.make_concern(self.alma, closed=past(2, 1))
        kept = self.make_concern(self.alma, closed=past(2))
        still_open = self.make_concern(self.alma, closed=None)
        Concern.objects.filter(pk=still_open.pk).update(observed_on=past(10))
        self.assertEqual(counts("plans.concern"), (1, 0))

        apply_retention()

        self.assertEqual(
            set(Concern.objects.values_list("pk", flat=True)), {kept.pk, still_open.pk}
        )
        self.assertFalse(ConcernEvent.objects.filter(concern_id=gone.pk).exists())
        (entry,) = self.erase_entries(gone)
        self.assertEqual(entry.citizen_id, self.alma.pk)
        self.assertEqual(entry.detail["removed"], {"plans.concernevent": 2})
        self.assertTrue(verify().ok)

    def test_a_concern_that_led_to_a_notification_stays_with_the_notification(self) -> None:
        concern = self.make_concern(self.alma, closed=past(3))
        Concern.objects.filter(pk=concern.pk).update(status=Concern.Status.NOTIFIED)
        notification = Notification.objects.create(
            citizen=self.alma,
            concern=concern,
            reported_by=self.teacher,
            from_unit=self.school,
            to_unit=self.family_dept,
            reported_on=past(3),
            reason="Bekymring for omsorgssvigt",
        )
        self.assertEqual(counts("plans.concern"), (0, 1))
        self.assertEqual(counts("plans.notification"), (0, 0))

        apply_retention()
        self.assertTrue(Concern.objects.filter(pk=concern.pk).exists())

        # Five years after the notification, both go.
        Notification.objects.filter(pk=notification.pk).update(reported_on=past(5, 1))
        self.assertEqual(counts("plans.notification"), (1, 0))
        apply_retention()
        self.assertFalse(Notification.objects.filter(pk=notification.pk).exists())
        self.assertFalse(Concern.objects.filter(pk=concern.pk).exists())
        (entry,) = self.erase_entries(concern)
        self.assertEqual(entry.detail["with"], f"plans.notification:{notification.pk}")
        self.assertTrue(verify().ok)

    def test_a_notification_is_kept_while_the_child_has_an_active_plan(self) -> None:
        make_plan(self.alma, coordinator=self.caseworker)
        Notification.objects.create(
            citizen=self.alma,
            reported_by=self.teacher,
            from_unit=self.school,
            to_unit=self.family_dept,
            reported_on=past(7),
            reason="Bekymring",
        )
        self.assertEqual(counts("plans.notification"), (0, 1))
        apply_retention()
        self.assertEqual(Notification.objects.count(), 1)


# --------------------------------------------------------------------------- referrals


class ReferralRuleTests(RetentionTestCase):
    def test_a_referral_rejected_or_withdrawn_just_over_a_year_ago_goes(self) -> None:
        rejected = self.make_referral(
            self.bror,
            status=Referral.Status.REJECTED,
            rejection_reason="Ikke vores opgave",
            decided_at=at(past(1, 1)),
        )
        withdrawn = self.make_referral(
            self.bror, status=Referral.Status.WITHDRAWN, decided_at=at(past(1, 1))
        )
        inside = self.make_referral(
            self.bror, status=Referral.Status.WITHDRAWN, decided_at=at(past(1))
        )
        self.assertEqual(counts("plans.referral_declined"), (2, 0))
        apply_retention()
        self.assertEqual(list(Referral.objects.values_list("pk", flat=True)), [inside.pk])
        self.assertEqual(len(self.erase_entries(rejected)), 1)
        self.assertEqual(len(self.erase_entries(withdrawn)), 1)

    def test_an_accepted_referral_goes_with_its_plan_or_five_years_after_its_access(
        self,
    ) -> None:
        plan = make_plan(self.alma, coordinator=self.caseworker)
        with_plan = self.make_referral(
            self.alma, plan=plan, status=Referral.Status.ACCEPTED, access_until=past(5, 1)
        )
        without = self.make_referral(
            self.bror, status=Referral.Status.ACCEPTED, access_until=past(5, 1)
        )
        inside = self.make_referral(
            self.bror, status=Referral.Status.ACCEPTED, access_until=past(5)
        )
        self.assertEqual(counts("plans.referral_accepted"), (1, 1))
        apply_retention()
        self.assertEqual(
            set(Referral.objects.values_list("pk", flat=True)), {with_plan.pk, inside.pk}
        )
        self.assertFalse(Referral.objects.filter(pk=without.pk).exists())


# --------------------------------------------------------------------------- engagements, consents


class EngagementAndConsentRuleTests(RetentionTestCase):
    def test_an_engagement_that_ended_just_over_five_years_ago_goes(self) -> None:
        gone = engage(self.bror, staff=self.teacher, valid_from=past(8), valid_to=past(5, 1))
        kept = engage(self.bror, staff=self.teacher, valid_from=past(8), valid_to=past(5))
        emergency = engage(
            self.bror,
            staff=self.colleague,
            kind=Engagement.Kind.EMERGENCY,
            valid_from=past(5, 1),
            valid_to=past(5, 1),
        )
        self.assertEqual(counts("citizens.engagement"), (1, 0))
        self.assertEqual(counts("citizens.emergency_engagement"), (1, 0))
        apply_retention()
        self.assertFalse(Engagement.objects.filter(pk__in=[gone.pk, emergency.pk]).exists())
        self.assertTrue(Engagement.objects.filter(pk=kept.pk).exists())
        # Open-ended engagements (Alma's in the base) are never due.
        self.assertEqual(Engagement.objects.filter(citizen=self.alma).count(), 2)
        (entry,) = self.erase_entries(emergency)
        self.assertEqual(entry.detail, {"rule": "citizens.emergency_engagement"})
        self.assertEqual(entry.citizen_id, self.bror.pk)

    def consent(self, **fields: Any) -> Consent:
        return Consent.objects.create(
            citizen=self.alma, purpose="Deling med PPR", given_by=self.mother, **fields
        )

    def test_a_consent_withdrawn_or_expired_just_over_five_years_ago_goes(self) -> None:
        withdrawn = self.consent(given_on=past(9), withdrawn_on=past(5, 1))
        expired = self.consent(given_on=past(9), expires_on=past(5, 1))
        # Withdrawn before it would have expired: it ended when withdrawn.
        both = self.consent(given_on=past(9), withdrawn_on=past(6), expires_on=past(1))
        inside = self.consent(given_on=past(9), withdrawn_on=past(5))
        in_force = self.consent(given_on=past(9))
        self.assertEqual(counts("citizens.consent"), (3, 0))
        apply_retention()
        self.assertEqual(
            set(Consent.objects.values_list("pk", flat=True)), {inside.pk, in_force.pk}
        )
        for gone in (withdrawn, expired, both):
            (entry,) = self.erase_entries(gone)
            self.assertEqual(entry.citizen_id, self.alma.pk)

    def test_a_consent_an_engagement_rests_on_is_kept(self) -> None:
        consent = self.consent(given_on=past(9), withdrawn_on=past(6))
        engagement = engage(self.alma, unit=self.family_dept, valid_from=past(9))
        Engagement.objects.filter(pk=engagement.pk).update(consent=consent)
        self.assertEqual(counts("citizens.consent"), (0, 1))
        self.assertIn("kept by law 1", apply_retention())
        self.assertTrue(Consent.objects.filter(pk=consent.pk).exists())


# --------------------------------------------------------------------------- sign-in records


class SignInRecordTests(RetentionTestCase):
    def test_tokens_revoked_over_a_year_ago_go(self) -> None:
        gone, _clear = ApiToken.issue(self.caseworker.user, "gammel")
        kept, _clear = ApiToken.issue(self.caseworker.user, "nyere")
        live, _clear = ApiToken.issue(self.caseworker.user, "i brug")
        ApiToken.objects.filter(pk=gone.pk).update(revoked_at=at(past(1, 1)))
        ApiToken.objects.filter(pk=kept.pk).update(revoked_at=at(past(1)))
        apply_retention()
        self.assertEqual(set(ApiToken.objects.values_list("pk", flat=True)), {kept.pk, live.pk})
        (entry,) = self.erase_entries(gone)
        self.assertIsNone(entry.citizen_id)

    def test_expired_sessions_and_old_login_attempts_go_with_one_entry_each_rule(self) -> None:
        Session.objects.create(
            session_key="a" * 32, session_data="", expire_date=at(today() - dt.timedelta(days=1))
        )
        Session.objects.create(
            session_key="b" * 32,
            session_data="",
            expire_date=timezone.now() + dt.timedelta(hours=1),
        )
        AccessAttempt = apps.get_model("axes", "AccessAttempt")
        attempt = AccessAttempt.objects.create(
            username="x",
            ip_address="10.0.0.1",
            user_agent="t",
            http_accept="*/*",
            path_info="/login/",
            get_data="",
            post_data="",
            failures_since_start=1,
        )
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=at(past(1, 1)))
        before = AuditEntry.objects.count()

        apply_retention()

        self.assertEqual(list(Session.objects.values_list("session_key", flat=True)), ["b" * 32])
        self.assertFalse(AccessAttempt.objects.exists())
        entries = AuditEntry.objects.filter(seq__gt=before)
        session_entry = entries.get(detail__rule="auth.session")
        self.assertEqual(session_entry.detail["count"], 1)
        self.assertEqual(entries.get(detail__rule="auth.login_attempt").detail["count"], 1)


# --------------------------------------------------------------------------- citizens


class CitizenRuleTests(RetentionTestCase):
    def make_old_citizen(self, first_name: str, **fields: Any) -> Citizen:
        """A citizen whose every trace (row and log) is from long before the longest period."""
        old = at(past(5, 10))
        with tracking.paused():
            citizen = make_citizen(first_name, "Holm", birth_date=dt.date(2001, 4, 9), **fields)
        Citizen.objects.filter(pk=citizen.pk).update(created_at=old, updated_at=old)
        log_many([Entry(action=codes.CREATE, obj=citizen, citizen_id=citizen.pk, at=old)])
        citizen.refresh_from_db()
        return citizen

    def test_a_citizen_with_nothing_left_is_anonymised_and_no_longer_found(self) -> None:
        ida = self.make_old_citizen("Ida")
        number = ida.cpr
        sister = self.make_old_citizen("Eva")
        with tracking.paused():  # set up as if long ago: no entries today
            login = make_family_login(ida, "ida")
            FamilyLink.objects.create(from_citizen=ida, to_citizen=sister, kind="sibling")
        Citizen.objects.filter(pk=ida.pk).update(updated_at=at(past(5, 10)))
        self.assertEqual(counts("citizens.citizen"), (2, 0))

        output = apply_retention()

        self.assertIn("anonymised 2", output)
        ida.refresh_from_db()
        self.assertEqual((ida.first_name, ida.last_name), ("Anonymised", ""))
        self.assertEqual(ida.cpr, "")
        self.assertEqual(ida.birth_date, dt.date(2001, 7, 1))
        self.assertEqual(ida.anonymised_on, today())
        self.assertIsNone(ida.user)
        self.assertIsNone(Citizen.objects.by_cpr(number))
        self.assertFalse(Citizen.objects.search("Ida").exists())
        self.assertFalse(FamilyLink.objects.filter(from_citizen=ida).exists())
        login.refresh_from_db()
        self.assertFalse(login.is_active)
        self.assertFalse(login.has_usable_password())
        self.assertEqual(login.first_name, "")
        # The row stays: the log still refers to it.
        anonymise = AuditEntry.objects.get(action=codes.ANONYMISE, citizen_id=ida.pk)
        self.assertEqual(anonymise.detail["rule"], "citizens.citizen")
        self.assertIn("cpr", anonymise.detail["cleared"])
        self.assertNotIn("Ida", str(anonymise.detail))
        self.assertTrue(verify().ok)
        # Anonymised once: the next run finds nothing.
        self.assertEqual(counts("citizens.citizen"), (0, 0))
        # A key rotation passes over the rows without a number.
        self.assertEqual(do_rotate_cpr_keys(), Citizen.objects.count() - 2)

    def test_a_citizen_with_recent_activity_is_never_anonymised(self) -> None:
        recent = self.make_old_citizen("Nora")
        # A look-up today is activity.
        log_many([Entry(action=codes.VIEW, obj=recent, citizen_id=recent.pk)])
        self.assertEqual(counts("citizens.citizen"), (0, 0))
        # The base's citizens were registered today.
        apply_retention()
        self.assertEqual(Citizen.objects.filter(anonymised_on__isnull=False).count(), 0)

    def test_a_citizen_with_a_record_left_or_family_of_one_is_kept(self) -> None:
        held = self.make_old_citizen("Sofie")
        guardian = self.make_old_citizen("Hans")
        with tracking.paused():  # set up as if long ago: no entries today
            engage(held, staff=self.caseworker, valid_from=past(9), valid_to=past(5))
            FamilyLink.objects.create(from_citizen=guardian, to_citizen=held, kind="guardian")
        self.assertEqual(counts("citizens.citizen"), (0, 2))
        apply_retention()
        self.assertFalse(Citizen.objects.filter(anonymised_on__isnull=False).exists())
        self.assertTrue(Citizen.objects.filter(first_name="Sofie").exists())

    def test_retentions_own_entries_are_not_activity(self) -> None:
        # Erasing a citizen's last record writes ERASE entries about them
        # today; that must not restart the clock for anonymising them.
        lone = self.make_old_citizen("Lone")
        log_many([Entry(action=codes.ERASE, citizen_id=lone.pk, detail={"rule": "x"})])
        self.assertEqual(counts("citizens.citizen"), (1, 0))


# --------------------------------------------------------------------------- the command


class CommandTests(RetentionTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.concern = self.make_concern(self.alma, closed=past(3))
        self.plan = self.close_plan(make_plan(self.bror, coordinator=self.caseworker), past(7))

    def test_the_dry_run_counts_and_changes_nothing(self) -> None:
        before = AuditEntry.objects.count()
        out = StringIO()
        call_command("retention", stdout=out)
        output = out.getvalue()
        self.assertIn("dry run", output)
        self.assertRegex(output, r"plans\.concern\s+would delete 1, kept by law 0")
        self.assertRegex(output, r"plans\.plan\s+would delete 1, kept by law 0")
        self.assertIn("Dry run: 2 would be deleted, 0 anonymised, 0 kept by law.", output)
        self.assertTrue(Concern.objects.filter(pk=self.concern.pk).exists())
        self.assertTrue(Plan.objects.filter(pk=self.plan.pk).exists())
        self.assertEqual(AuditEntry.objects.count(), before)

    def test_apply_prints_a_line_per_rule_and_a_summary_and_logs_each_row_once(self) -> None:
        before = AuditEntry.objects.count()
        output = apply_retention()
        for code in retention.REGISTRY:
            self.assertIn(code, output)
        self.assertRegex(output, r"plans\.plan\s+deleted 1, kept by law 0")
        summary = output.strip().splitlines()[-1]
        self.assertRegex(summary, r"^Deleted 2, anonymised 0, kept by law 0; \d+ audit entries")
        new = AuditEntry.objects.filter(seq__gt=before)
        self.assertFalse(new.exclude(action=codes.ERASE).exists())
        # One entry per erased row and citizen: never a second, generic DELETE.
        keys = list(new.values_list("object_type", "object_id", "citizen_id"))
        self.assertEqual(len(keys), len(set(keys)))
        self.assertEqual(int(summary.split("; ")[1].split()[0]), new.count())
        verdict = verify()
        self.assertTrue(verdict.ok, verdict.problem)

    def test_as_of_a_later_day_is_a_dry_run_for_planning(self) -> None:
        inside = self.make_concern(self.alma, closed=today() - dt.timedelta(days=30))
        out = StringIO()
        later = (today() + dt.timedelta(days=2 * 366)).isoformat()
        call_command("retention", "--today", later, stdout=out)
        self.assertRegex(out.getvalue(), r"plans\.concern\s+would delete 2")
        with self.assertRaisesMessage(CommandError, "today or an earlier day"):
            call_command("retention", "--apply", "--today", later, stdout=StringIO())
        self.assertTrue(Concern.objects.filter(pk=inside.pk).exists())

    def test_as_of_an_earlier_day_it_erases_less(self) -> None:
        out = StringIO()
        earlier = (today() - dt.timedelta(days=366)).isoformat()
        call_command("retention", "--apply", "--today", earlier, stdout=out)
        self.assertTrue(Concern.objects.filter(pk=self.concern.pk).exists())
        self.assertFalse(Plan.objects.filter(pk=self.plan.pk).exists())

    def test_a_bad_day_is_refused(self) -> None:
        with self.assertRaisesMessage(CommandError, "YYYY-MM-DD"):
            call_command("retention", "--today", "31.12.2030", stdout=StringIO())

    def test_a_configured_period_overrides_the_default(self) -> None:
        with override_settings(HELHED_RETENTION={"plans.concern": "4y"}):
            self.assertEqual(counts("plans.concern"), (0, 0))
            apply_retention()
        self.assertTrue(Concern.objects.filter(pk=self.concern.pk).exists())

    def test_an_unknown_rule_in_the_setting_stops_the_command(self) -> None:
        with (
            override_settings(HELHED_RETENTION={"plans.plans": "4y"}),
            self.assertRaisesMessage(CommandError, "plans.plans"),
        ):
            call_command("retention", stdout=StringIO())
        with override_settings(HELHED_RETENTION={"plans.plans": "4y"}):
            errors = retention.check_retention_setting()
        self.assertEqual([error.id for error in errors], ["helhed.E101"])

    def test_the_rules_table_lists_every_rule_and_the_ratings_part(self) -> None:
        out = StringIO()
        with translation.override("en"):
            call_command("retention", "--rules", stdout=out)
        table = out.getvalue()
        for code in retention.REGISTRY:
            self.assertIn(f"`{code}`", table)
        self.assertIn("`feedback.rating`", table)
        self.assertIn("(the longest of the rules)", table)
        self.assertIn("- `citizens.consent`: A consent is the documentation", table)

    def test_a_failing_rule_is_rolled_back_and_reported(self) -> None:
        def broken(action: Any, rule: Any, records: Any) -> list[Entry]:
            Concern.objects.filter(pk__in=[r.pk for r in records]).delete()
            raise retention.DatabaseError("disk full")

        concern_rule = rule("plans.concern")
        with (
            mock.patch.object(concern_rule.action.__class__, "__call__", broken),
            self.assertRaisesMessage(CommandError, "plans.concern"),
        ):
            call_command("retention", "--apply", stdout=StringIO(), stderr=StringIO())
        self.assertTrue(Concern.objects.filter(pk=self.concern.pk).exists())
        self.assertTrue(verify().ok)


class PeriodSettingTests(BaseTestCase):
    def test_periods_are_read_from_a_json_object(self) -> None:
        with mock.patch.dict(os.environ, {"HELHED_RETENTION": '{"plans.plan": "6y", "x": "30d"}'}):
            self.assertEqual(
                env_periods("HELHED_RETENTION"),
                {"plans.plan": years(6), "x": parse_period("30d")},
            )

    def test_bad_values_stop_the_start(self) -> None:
        for raw in (
            '["6y"]',
            "{plans.plan: 6y}",
            '{"plans.plan": 6}',
            '{"plans.plan": "6 months"}',
        ):
            with (
                self.subTest(raw=raw),
                mock.patch.dict(os.environ, {"HELHED_RETENTION": raw}),
                self.assertRaises(ImproperlyConfigured),
            ):
                env_periods("HELHED_RETENTION")

    def test_a_year_back_from_a_leap_day_is_the_28th(self) -> None:
        self.assertEqual(years(1).before(dt.date(2024, 2, 29)), dt.date(2023, 2, 28))
