"""Forms for the shared plan: starting one, and every versioned edit of it.

Every edit form carries the plan version the user saw in the hidden field
``expected_version``; the action refuses the change when the plan has moved on
since (optimistic locking), and the view then shows the form again with what
the user typed.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from helhed.citizens.models import Citizen
from helhed.lib.forms import ActionErrorsForm
from helhed.organisation.models import RoleAssignment, Sector, Staff, Unit
from helhed.plans.models import Effort, Goal, LegalBasis, Plan, PlanMember

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# The largest id the database holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1
M = TypeVar("M", bound=Model)


class IdsChoiceField(forms.ModelMultipleChoiceField[M]):
    """Several objects by id; an id too large for the database is an invalid choice.

    Django guards ``pk=`` against such ids but not the ``pk__in=`` this field
    queries with, which SQLite answers with an OverflowError (a 500).
    """

    def clean(self, value: Any) -> QuerySet[M]:
        for pk in value if isinstance(value, list | tuple) else ():
            try:
                too_large = abs(int(pk)) > MAX_ID
            except (TypeError, ValueError):
                continue  # Django says what is wrong with it
            if too_large:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super().clean(value)


class StaffChoiceField(forms.ModelChoiceField[Staff]):
    def label_from_instance(self, obj: Staff) -> str:
        return obj.full_name


class CitizenChoiceField(forms.ModelChoiceField[Citizen]):
    def label_from_instance(self, obj: Citizen) -> str:
        return obj.full_name


class CitizensChoiceField(IdsChoiceField[Citizen]):
    def label_from_instance(self, obj: Citizen) -> str:
        return obj.full_name


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class GoalsChoiceField(IdsChoiceField[Goal]):
    def label_from_instance(self, obj: Goal) -> str:
        return str(obj)


class AssignmentChoiceField(forms.ModelChoiceField[RoleAssignment]):
    def label_from_instance(self, obj: RoleAssignment) -> str:
        return f"{obj.staff.full_name} – {obj.unit.name} ({obj.role.name})"


class VersionedForm(ActionErrorsForm):
    """A change of the plan, made against the version the user saw."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --------------------------------------------------------------------------- the plan


class PlanCreateForm(ActionErrorsForm):
    """Start a plan for a citizen, or for the family around them."""

    error_fields = {"staff": "coordinator", "unit": "coordinator"}

    kind = forms.ChoiceField(
        label=_("The plan is"),
        choices=Plan.Kind.choices,
        initial=Plan.Kind.CITIZEN,
        widget=forms.RadioSelect,
    )
    adults = CitizensChoiceField(
        queryset=Citizen.objects.none(),
        required=False,
        label=_("Adults in the family plan"),
        help_text=_("Guardians you work with. Only for a plan for the whole family."),
        widget=forms.CheckboxSelectMultiple,
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    what_matters = forms.CharField(
        label=_("What matters to the family"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In the family's own words: what a good everyday life looks like."),
    )
    coordinator = StaffChoiceField(
        queryset=Staff.objects.none(),
        label=_("Coordinator"),
        help_text=_("The one professional who holds the whole plan together."),
    )

    def __init__(
        self,
        *args: Any,
        adults: QuerySet[Citizen],
        coordinators: QuerySet[Staff],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(CitizensChoiceField, self.fields["adults"]).queryset = adults
        cast(StaffChoiceField, self.fields["coordinator"]).queryset = coordinators
        if not adults.exists():
            self.fields["adults"].help_text = _(
                "You work with none of the citizen's guardians, so a family plan can start with "
                "the child alone; add the adults later."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Plan.Kind.CITIZEN and data.get("adults"):
            self.add_error("adults", _("Adults are added only to a plan for the whole family."))
        return data


class PlanEditForm(VersionedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    what_matters = forms.CharField(
        label=_("What matters to the family"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("In the family's own words: what a good everyday life looks like."),
    )
    coordinator = StaffChoiceField(queryset=Staff.objects.none(), label=_("Coordinator"))

    def __init__(self, *args: Any, coordinators: QuerySet[Staff], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(StaffChoiceField, self.fields["coordinator"]).queryset = coordinators


class ClosePlanForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why the plan is closed"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --------------------------------------------------------------------------- goals


class GoalForm(VersionedForm):
    text = forms.CharField(
        label=_("Goal in their own words"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Write it as the child or family said it."),
    )
    citizen = CitizenChoiceField(
        queryset=Citizen.objects.none(),
        required=False,
        label=_("Whose goal"),
        empty_label=_("The whole family"),
    )
    formulated_by = forms.ChoiceField(label=_("Formulated by"), choices=Goal.FormulatedBy.choices)
    formulated_by_name = forms.CharField(label=_("Name of who formulated it"), max_length=100)
    target_date = forms.DateField(label=_("Target date"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=Goal.Status.choices)

    def __init__(self, *args: Any, plan: Plan, with_status: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(CitizenChoiceField, self.fields["citizen"]).queryset = plan.citizens()
        if not with_status:
            del self.fields["status"]


# --------------------------------------------------------------------------- efforts


class EffortForm(VersionedForm):
    title = forms.CharField(label=_("Effort"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    citizen = CitizenChoiceField(
        queryset=Citizen.objects.none(),
        required=False,
        label=_("For whom"),
        empty_label=_("The whole family"),
    )
    responsible_unit = UnitChoiceField(queryset=Unit.objects.none(), label=_("Responsible unit"))
    sector = forms.ModelChoiceField(
        queryset=Sector.objects.all(),
        required=False,
        label=_("Sector"),
        empty_label=_("The responsible unit's sector"),
    )
    legal_basis = forms.ChoiceField(label=_("Legal basis"), choices=LegalBasis.choices)
    legal_reference = forms.CharField(
        label=_("Section"),
        max_length=60,
        required=False,
        help_text=_("For example § 32, stk. 1."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    monthly_cost = forms.DecimalField(
        label=_("Monthly cost (DKK)"), max_digits=10, decimal_places=2, initial=0
    )
    goals = GoalsChoiceField(
        queryset=Goal.objects.none(),
        required=False,
        label=_("Goals it serves"),
        widget=forms.CheckboxSelectMultiple,
    )
    method: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,  # the plan's municipality's methods, set in __init__
        required=False,
        label=_("Method"),
        empty_label=_("No common method"),
        help_text=_("A method from the municipality's library, if the effort works by one."),
    )
    # Who pays ("solve first, settle later"): proposed here, agreed by a leader
    # of the paying unit (helhed/plans/actions/payments.py).
    paying_unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("Paying budget"),
        empty_label=_("Not proposed yet, or another authority pays"),
        help_text=_("The unit whose budget pays. The effort may start before this is agreed."),
    )
    paying_authority = forms.CharField(
        label=_("Paying authority"),
        max_length=150,
        required=False,
        help_text=_("Another municipality or the region, when they pay."),
    )

    def __init__(
        self,
        *args: Any,
        plan: Plan,
        units: QuerySet[Unit],
        paying_units: QuerySet[Unit] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(CitizenChoiceField, self.fields["citizen"]).queryset = plan.citizens()
        cast(UnitChoiceField, self.fields["responsible_unit"]).queryset = units
        cast(UnitChoiceField, self.fields["paying_unit"]).queryset = (
            units if paying_units is None else paying_units
        )
        cast(GoalsChoiceField, self.fields["goals"]).queryset = plan.goals.all()
        # The plan's municipality's methods only; the model is reached through the
        # relation so plans does not import the leadership app above it.
        methods = cast(Any, Effort._meta.get_field("method").related_model)._default_manager
        cast(forms.ModelChoiceField[Any], self.fields["method"]).queryset = methods.filter(
            municipality_id=plan.municipality_id
        ).order_by("name")

    @staticmethod
    def initial_from(effort: Effort) -> dict[str, Any]:
        return {
            "expected_version": effort.plan.version,
            "title": effort.title,
            "description": effort.description,
            "citizen": effort.citizen_id,
            "responsible_unit": effort.responsible_unit_id,
            "sector": effort.sector_id,
            "legal_basis": effort.legal_basis,
            "legal_reference": effort.legal_reference,
            "starts_on": effort.starts_on,
            "ends_on": effort.ends_on,
            "monthly_cost": effort.monthly_cost,
            "goals": [g.pk for g in effort.goals.all()],
            "method": effort.method_id,
            "paying_unit": effort.paying_unit_id,
            "paying_authority": effort.paying_authority,
        }


class EndEffortForm(VersionedForm):
    ends_on = forms.DateField(label=_("Last day of the effort"), widget=DATE)


# --------------------------------------------------------------------------- participants


class ParticipantForm(VersionedForm):
    """Choose a professional by the unit they work in today, so the unit is always right."""

    error_fields = {"staff": "assignment", "unit": "assignment"}

    assignment = AssignmentChoiceField(
        queryset=RoleAssignment.objects.none(),
        label=_("Professional"),
        help_text=_("Front-line staff of the municipality, with the unit they take part for."),
    )
    role = forms.CharField(
        label=_("Role in the plan"),
        max_length=100,
        required=False,
        help_text=_("For example: class teacher, psychologist, health visitor."),
    )

    def __init__(self, *args: Any, assignments: QuerySet[RoleAssignment], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(AssignmentChoiceField, self.fields["assignment"]).queryset = assignments


# --------------------------------------------------------------------------- members


class AddMemberForm(VersionedForm):
    citizen = CitizenChoiceField(
        queryset=Citizen.objects.none(),
        label=_("Citizen"),
        help_text=_("Relatives of the plan's members that you work with."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=PlanMember.Role.choices)
    occupation = forms.ChoiceField(
        label=_("Job or education status"), choices=PlanMember.Occupation.choices, required=False
    )

    def __init__(self, *args: Any, candidates: QuerySet[Citizen], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(CitizenChoiceField, self.fields["citizen"]).queryset = candidates


class OccupationForm(VersionedForm):
    occupation = forms.ChoiceField(
        label=_("Job or education status"), choices=PlanMember.Occupation.choices, required=False
    )
