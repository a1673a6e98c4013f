"""The demo generator: a realistic, reproducible municipality, at a small size."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter

from django.contrib.auth.models import User
from django.db.models import Q
from django.test import TestCase, override_settings

from helhed import policy
from helhed.citizens import cpr as cprlib
from helhed.citizens.models import Citizen, Engagement, FamilyLink
from helhed.demo.generator import (
    ADMIN_USERNAME,
    LOGIN_USERNAMES,
    DemoResult,
    MunicipalitySpec,
    clear_municipalities,
    generate,
    generate_municipality,
    plan_municipalities,
    reference_date,
)
from helhed.demo.organisation import school_grade
from helhed.feedback.models import Rating
from helhed.organisation.models import Municipality, RoleAssignment, Staff, Unit
from helhed.organisation.span import span_of
from helhed.plans.models import Action, Concern, Effort, Goal, Meeting, Plan, PlanMember, Referral

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
INHABITANTS = 3_000
PASSWORD = "demo-test-password"
ON = dt.date(2025, 8, 1)


def children_of(code: int) -> list[Citizen]:
    """The generated children: the citizens who have a guardian."""
    return list(
        Citizen.objects.filter(
            municipality__code=code, family_links_to__kind=FamilyLink.Kind.GUARDIAN
        )
        .distinct()
        .select_related("current_unit__sector", "current_unit__unit_type")
    )


def members_of_plans_taken_part_in(staff: Staff) -> set[int]:
    return set(
        PlanMember.objects.filter(
            Q(plan__participants__staff=staff) | Q(plan__coordinator=staff)
        ).values_list("citizen_id", flat=True)
    )


def sector_of(unit: Unit | None) -> str | None:
    return unit.sector.code if unit is not None and unit.sector is not None else None


def fingerprint(code: int) -> str:
    """A digest of everything a seed decides: names, CPR numbers, tree, roles, engagements."""
    units = {u.pk: u for u in Unit.objects.filter(municipality__code=code)}

    def where(unit_id: int | None) -> str:
        if unit_id is None:
            return ""
        return "/".join(units[int(pk)].name for pk in units[unit_id].path.split(".") if pk)

    citizens = Citizen.objects.filter(municipality__code=code)
    cpr_of = {c.pk: c.cpr for c in citizens}
    staff = Staff.objects.filter(municipality__code=code)
    staff_of = {s.pk: f"{s.full_name} {s.email}" for s in staff}
    rows = sorted(
        [f"unit {where(pk)} {u.unit_type_id} {u.sector_id} {u.key}" for pk, u in units.items()]
        + [
            f"role {staff_of[a.staff_id]} {a.role.code} {where(a.unit_id)} {a.job_title} "
            f"{a.valid_from}"
            for a in RoleAssignment.objects.filter(staff__in=staff).select_related("role")
        ]
        + [
            f"citizen {c.full_name} {cpr_of[c.pk]} {c.birth_date} {where(c.current_unit_id)}"
            for c in citizens
        ]
        + [
            f"link {cpr_of[link.from_citizen_id]} {link.kind} {cpr_of[link.to_citizen_id]}"
            for link in FamilyLink.objects.filter(from_citizen__in=citizens)
        ]
        + [
            f"engagement {cpr_of[e.citizen_id]} {e.kind} {where(e.unit_id)} "
            f"{staff_of.get(e.staff_id or 0, '')} {e.purpose} {e.valid_from}"
            for e in Engagement.objects.filter(citizen__in=citizens)
        ]
    )
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()


# A fast hasher: these tests log in many times; real hashing is tested by Django.
@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class GeneratedMunicipalityTests(TestCase):
    result: DemoResult
    on: dt.date
    children: list[Citizen]
    root: Unit | None

    @classmethod
    def setUpTestData(cls) -> None:
        cls.result = generate(plan_municipalities([230], INHABITANTS, seed=7), password=PASSWORD)
        cls.on = reference_date()
        cls.children = children_of(230)
        cls.root = Municipality.objects.get(code=230).root_unit()

    def test_about_a_fifth_of_the_inhabitants_are_children(self) -> None:
        self.assertGreaterEqual(len(self.children), 0.17 * INHABITANTS)
        self.assertLessEqual(len(self.children), 0.23 * INHABITANTS)
        ages = Counter(child.age(self.on) for child in self.children)
        self.assertEqual(set(ages), set(range(18)))
        self.assertEqual(self.result.municipalities[0].children, len(self.children))

    def test_every_school_age_child_is_enrolled_in_a_school(self) -> None:
        pupils = 0
        for child in self.children:
            grade = school_grade(child.birth_date, self.on)
            # On 1 August every child aged 6-14 is in 0.-9. klasse.
            if 0 <= grade <= 9 or 6 <= child.age(self.on) <= 14:
                pupils += 1
                self.assertEqual(sector_of(child.current_unit), "school", child)
                assert child.current_unit is not None
                self.assertEqual(child.current_unit.unit_type.code, "institution")
        self.assertGreater(pupils, 0.45 * len(self.children))

    def test_young_children_are_in_daycare_and_never_in_school(self) -> None:
        in_daycare = 0
        for child in self.children:
            if school_grade(child.birth_date, self.on) < 0 and child.current_unit is not None:
                self.assertEqual(sector_of(child.current_unit), "daycare")
                in_daycare += 1
        self.assertGreater(in_daycare, 0.15 * len(self.children))

    def test_every_child_has_an_older_guardian_and_siblings_are_linked(self) -> None:
        links = FamilyLink.objects.filter(to_citizen__in=[c.pk for c in self.children])
        guardians: Counter[int] = Counter()
        for link in links.select_related("from_citizen", "to_citizen"):
            if link.kind == FamilyLink.Kind.GUARDIAN:
                guardians[link.to_citizen_id] += 1
                gap = (link.to_citizen.birth_date - link.from_citizen.birth_date).days / 365.25
                self.assertGreaterEqual(gap, 17.9)
                self.assertLessEqual(gap, 61)
        self.assertEqual({c.pk for c in self.children}, set(guardians))
        self.assertLessEqual(max(guardians.values()), 2)
        self.assertTrue(links.filter(kind=FamilyLink.Kind.SIBLING).exists())

    def test_cpr_numbers_are_valid_unique_and_match_birth_date_and_sex(self) -> None:
        citizens = list(Citizen.objects.filter(municipality__code=230))
        numbers = set()
        for citizen in citizens:
            info = cprlib.parse(citizen.cpr)
            self.assertEqual(info.birth_date, citizen.birth_date)
            self.assertEqual(info.sex, citizen.sex)
            numbers.add(info.number)
        self.assertEqual(len(numbers), len(citizens))

    def test_the_tree_has_the_danish_shape_and_true_paths(self) -> None:
        assert self.root is not None
        self.assertEqual(self.root.name, "Rudersdal Kommune")
        administrations = set(self.root.children.values_list("name", flat=True))
        self.assertLessEqual(
            {"Børn og Unge", "Social, Sundhed og Ældre", "Beskæftigelse", "Kultur og Fritid"},
            administrations,
        )
        units = list(Unit.objects.filter(municipality__code=230).select_related("parent"))
        for unit in units:
            parent_path = unit.parent.path if unit.parent else ""
            self.assertEqual(unit.path, f"{parent_path}{unit.pk}.")
            self.assertEqual(unit.depth, unit.path.count("."))
        self.assertEqual(Unit.objects.under(self.root).count(), len(units))
        names = {u.name for u in units}
        self.assertLessEqual({"Familieafdelingen", "Sundhedsplejen", "Skoleområdet"}, names)
        self.assertTrue(any(name.startswith("PPR") for name in names))
        schools = [u for u in units if sector_of(u) == "school"]
        self.assertTrue(any(u.unit_type.code == "team" for u in schools))

    def test_bulk_created_rows_pass_the_models_own_validation(self) -> None:
        # bulk_create skips clean(); the generator must still respect every model rule.
        for unit in Unit.objects.filter(municipality__code=230):
            unit.full_clean()
        for assignment in RoleAssignment.objects.filter(unit__municipality__code=230):
            assignment.full_clean()
        citizens = Citizen.objects.filter(municipality__code=230).order_by("pk")
        for citizen in citizens[:200]:
            citizen.full_clean()
        for link in FamilyLink.objects.filter(to_citizen__in=citizens[:300]):
            link.full_clean()
        for engagement in Engagement.objects.filter(citizen__in=citizens)[:400]:
            engagement.full_clean()
            self.assertLessEqual(engagement.valid_from, dt.date.today())
            self.assertGreaterEqual(engagement.valid_from, engagement.citizen.birth_date)

    def test_pupils_are_engaged_with_their_school_and_daycare_children_with_theirs(self) -> None:
        for child in self.children:
            if child.current_unit is None:
                continue
            kind = "teaching" if sector_of(child.current_unit) == "school" else "daycare"
            self.assertTrue(
                Engagement.objects.valid_on()
                .filter(citizen=child, unit=child.current_unit, kind=kind)
                .exists(),
                child,
            )

    def test_five_to_six_percent_are_vulnerable_with_a_case_worker(self) -> None:
        casework = Engagement.objects.valid_on().filter(
            citizen__municipality__code=230, kind="casework"
        )
        share = casework.values("citizen").distinct().count() / len(self.children)
        self.assertGreater(share, 0.04)
        self.assertLess(share, 0.07)
        workers = set(casework.values_list("staff_id", flat=True))
        self.assertNotIn(None, workers)
        # Every worker is a case worker; some also take on-call duty (break the glass).
        for worker in workers:
            roles = set(
                RoleAssignment.objects.filter(staff_id=worker).values_list("role__code", flat=True)
            )
            self.assertIn("caseworker", roles)
            self.assertLessEqual(roles, {"caseworker", "on_call"})

    def test_the_school_leader_leads_every_teacher_of_the_school(self) -> None:
        leader = User.objects.get(username="skoleleder").staff
        school = leader.role_assignments.get().unit
        span = span_of(school)
        assert span is not None
        staff_at_school = (
            RoleAssignment.objects.filter(unit__path__startswith=school.path)
            .exclude(staff=leader)
            .values("staff")
            .distinct()
            .count()
        )
        self.assertEqual(span.direct_reports, staff_at_school)
        teachers = school.role_assignments.filter(role__code="teacher").count()
        pupils = school.enrolled_citizens.count()
        self.assertAlmostEqual(pupils / teachers, 14, delta=3)

    def test_every_demo_login_can_log_in(self) -> None:
        for username in [*LOGIN_USERNAMES.values(), ADMIN_USERNAME]:
            self.assertTrue(self.client.login(username=username, password=PASSWORD), username)
            self.client.logout()
        self.assertTrue(User.objects.get(username=ADMIN_USERNAME).is_superuser)

    def test_each_login_holds_its_role(self) -> None:
        for role, username in LOGIN_USERNAMES.items():
            staff = User.objects.get(username=username).staff
            self.assertIn(role, staff.role_assignments.values_list("role__code", flat=True))

    def test_the_case_worker_sees_vulnerable_children_and_the_school_leader_none(self) -> None:
        caseworker = User.objects.get(username="sagsbehandler")
        seen = policy.visible_citizens(caseworker)
        self.assertGreater(seen.count(), 0)
        in_plans = members_of_plans_taken_part_in(caseworker.staff)
        for citizen in seen:
            self.assertTrue(
                citizen.engagements.filter(staff=caseworker.staff, kind="casework").exists()
                or citizen.pk in in_plans
            )
        self.assertEqual(
            policy.visible_citizens(User.objects.get(username="skoleleder")).count(), 0
        )
        for username in ("direktor", "chef", "analytiker", "politiker", ADMIN_USERNAME):
            user = User.objects.get(username=username)
            self.assertEqual(policy.visible_citizens(user).count(), 0, username)

    def test_the_teacher_sees_the_pupils_of_the_school(self) -> None:
        teacher = User.objects.get(username="laerer")
        school = teacher.staff.role_assignments.filter(unit__unit_type__code="institution").get()
        pupils = set(school.unit.enrolled_citizens.values_list("pk", flat=True))
        self.assertGreater(len(pupils), 50)
        # Taking part in a shared plan opens its citizens too (the demo family's plan).
        in_plans = members_of_plans_taken_part_in(teacher.staff)
        self.assertEqual(
            set(policy.visible_citizens(teacher).values_list("pk", flat=True)), pupils | in_plans
        )

    def test_the_other_front_line_logins_see_someone(self) -> None:
        for username in ("paedagog", "koordinator", "psykolog", "sundhedsplejerske"):
            user = User.objects.get(username=username)
            self.assertGreater(policy.visible_citizens(user).count(), 0, username)


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class ReproducibilityTests(TestCase):
    def test_the_same_seed_gives_the_same_municipality(self) -> None:
        spec = MunicipalitySpec(230, INHABITANTS, seed=3)
        generate_municipality(spec, on=ON)
        first = fingerprint(230)
        clear_municipalities([230])
        self.assertFalse(Citizen.objects.exists())
        self.assertFalse(Unit.objects.filter(municipality__code=230).exists())
        generate_municipality(spec, on=ON)
        self.assertEqual(fingerprint(230), first)

    def test_another_seed_gives_another_municipality(self) -> None:
        generate_municipality(MunicipalitySpec(230, INHABITANTS, seed=3), on=ON)
        first = fingerprint(230)
        names = set(Citizen.objects.values_list("first_name", "last_name"))
        clear_municipalities([230])
        generate_municipality(MunicipalitySpec(230, INHABITANTS, seed=4), on=ON)
        self.assertNotEqual(fingerprint(230), first)
        self.assertNotEqual(set(Citizen.objects.values_list("first_name", "last_name")), names)

    def test_comparable_municipalities_get_their_own_data_and_no_logins(self) -> None:
        specs = plan_municipalities([230, 167], INHABITANTS, seed=1, comparable=1)
        self.assertEqual([s.logins for s in specs], [True, False, False])
        self.assertEqual(specs[:2], plan_municipalities([230, 167], INHABITANTS, 1, 1)[:2])
        self.assertEqual(len({s.code for s in specs}), 3)
        for spec in specs[1:]:
            self.assertGreaterEqual(spec.inhabitants, 0.6 * INHABITANTS)
            self.assertLessEqual(spec.inhabitants, INHABITANTS)
        result = generate(specs, password=PASSWORD, on=ON)
        self.assertEqual(len(result.municipalities), 3)
        by_code = {}
        for spec in specs:
            citizens = Citizen.objects.filter(municipality__code=spec.code)
            self.assertGreater(citizens.count(), 0.2 * spec.inhabitants)
            by_code[spec.code] = set(citizens.values_list("first_name", "last_name"))
        self.assertNotEqual(by_code[230], by_code[167])
        logged_in = Staff.objects.filter(user__isnull=False)
        self.assertEqual(set(logged_in.values_list("municipality__code", flat=True)), {230})

    def test_an_unknown_municipality_code_is_refused(self) -> None:
        with self.assertRaisesMessage(ValueError, "Unknown municipality code: 999"):
            plan_municipalities([999])


@override_settings(PASSWORD_HASHERS=FAST_HASHERS)
class GeneratedActivityTests(TestCase):
    """The shared plans, meetings, ratings, concerns and referrals of the demo."""

    @classmethod
    def setUpTestData(cls) -> None:
        generate(plan_municipalities([230], INHABITANTS, seed=7), password=PASSWORD)

    def test_most_vulnerable_children_have_one_active_plan(self) -> None:
        vulnerable = set(
            Engagement.objects.filter(kind="casework", staff__isnull=False).values_list(
                "citizen_id", flat=True
            )
        )
        members = list(
            PlanMember.objects.filter(is_active=True, role="child").values_list(
                "citizen_id", flat=True
            )
        )
        self.assertEqual(len(members), len(set(members)))  # one active plan per citizen
        share = len(vulnerable & set(members)) / len(vulnerable)
        self.assertGreater(share, 0.5)
        plan = Plan.objects.first()
        assert plan is not None
        self.assertEqual(plan.versions.get().number, 1)
        self.assertTrue(plan.goals.exists())

    def test_generated_rows_pass_the_models_own_validation(self) -> None:
        for model in (Plan, Goal, Effort, Meeting, Action, Concern, Referral, Rating):
            for row in model.objects.all()[:30]:
                row.full_clean()

    def test_ratings_hold_valid_scores_on_enabled_scales(self) -> None:
        municipality = Municipality.objects.get(code=230)
        enabled = set(municipality.scale_activations.values_list("scale__code", flat=True))
        self.assertEqual(enabled, {"ors", "cors", "srs", "csrs", "samarbejde"})
        for rating in Rating.objects.select_related("scale")[:200]:
            self.assertEqual(len(rating.scores), 4)
            self.assertTrue(all(0 <= v <= 10 for v in rating.scores))
            self.assertEqual(float(rating.total), round(sum(rating.scores), 1))

    def test_the_family_login_sees_exactly_its_own_familys_plan(self) -> None:
        guardian = User.objects.get(username="foraelder")
        plans = list(policy.visible_plans(guardian))
        self.assertEqual(len(plans), 1)
        plan = plans[0]
        usernames = {
            p.staff.user.username
            for p in plan.participants.select_related("staff__user")
            if p.staff.user
        }
        self.assertLessEqual({"sagsbehandler", "laerer"}, usernames)
        self.assertEqual(getattr(plan.coordinator.user, "username", None), "koordinator")
        self.assertTrue(plan.members.filter(citizen__user=guardian).exists())

    def test_each_front_line_login_has_work_waiting(self) -> None:
        caseworker = User.objects.get(username="sagsbehandler").staff
        self.assertTrue(Action.objects.open().filter(owner=caseworker).exists())
        teacher = User.objects.get(username="laerer")
        self.assertTrue(policy.visible_concerns(teacher).exists())
        leader = User.objects.get(username="skoleleder")
        self.assertTrue(policy.led_overdue_concerns(leader).exists())
        psychologist = User.objects.get(username="psykolog")
        self.assertTrue(
            policy.visible_referrals(psychologist).filter(status__in=["sent", "received"]).exists()
        )
