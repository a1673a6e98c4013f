"""Retention rules for engagements, consents and citizens (see ``helhed.lib.retention``).

The periods are defaults for the municipality's data protection officer to
set (``HELHED_RETENTION``); the reasoning for each is in its ``legal_note``.

A citizen is never deleted: once nothing is left about them and nothing has
happened for the longest period of any rule, the row is anonymised (names, CPR
number, family links and login gone; birth date kept to the year, sex and
municipality kept for aggregates), because the audit log and aggregates refer
to its id.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helhed.audit import codes
from helhed.audit.models import AuditEntry
from helhed.audit.trail import Entry
from helhed.citizens.models import Citizen, Consent, Engagement, FamilyLink
from helhed.lib.periods import years
from helhed.lib.retention import (
    Anonymise,
    AsOf,
    Delete,
    RetentionRule,
    entries_for,
    entry,
    referred_to,
    register,
)
from helhed.lib.validity import today

# What an anonymised citizen is called (stored, so not translated).
ANONYMISED_NAME = "Anonymised"

# --------------------------------------------------------------------------- engagements

register(
    RetentionRule(
        code="citizens.engagement",
        label=_("engagements that have ended"),
        model=Engagement,
        counts_from="valid_to",
        since=_("the engagement's last day"),
        period=years(5),
        action=Delete(),
        records=lambda: Engagement.objects.filter(valid_to__isnull=False).exclude(
            kind=Engagement.Kind.EMERGENCY
        ),
        legal_note=_(
            "An engagement is the basis of every look-up the audit log records. It is kept five "
            "years after it ended so that each look-up can still be explained (to the citizen "
            "using the right of access, in a complaint, in the municipality's supervision), "
            "in step with the plans it served."
        ),
        order=50,
    )
)

register(
    RetentionRule(
        code="citizens.emergency_engagement",
        label=_("emergency (break-the-glass) engagements"),
        model=Engagement,
        counts_from="valid_to",
        since=_("the engagement's last day"),
        period=years(5),
        action=Delete(),
        records=lambda: Engagement.objects.filter(
            valid_to__isnull=False, kind=Engagement.Kind.EMERGENCY
        ),
        legal_note=_(
            "Break-the-glass access is the exception a leader reviews; the log's entries refer "
            "to the engagement and its stated reason, so it is kept as long as ordinary "
            "engagements: five years after the day it was used."
        ),
        order=50,
    )
)

# --------------------------------------------------------------------------- consents


def _consent_ended() -> dict[str, Any]:
    """The day a consent stopped: withdrawn or expired, whichever came first."""
    return {
        "ended_on": models.Case(
            models.When(
                withdrawn_on__isnull=False,
                expires_on__isnull=False,
                then=Least("withdrawn_on", "expires_on"),
            ),
            models.When(withdrawn_on__isnull=False, then=F("withdrawn_on")),
            default=F("expires_on"),
            output_field=models.DateField(),
        )
    }


def _consent_in_use(when: AsOf) -> Q:
    """An engagement or a referral still rests on the consent (and protects it)."""
    return referred_to(Consent, where=lambda relation: relation.on_delete is models.PROTECT)


register(
    RetentionRule(
        code="citizens.consent",
        label=_("consents withdrawn or expired"),
        model=Consent,
        counts_from="ended_on",
        since=_("the day the consent was withdrawn or expired"),
        period=years(5),
        action=Delete(),
        records=lambda: Consent.objects.filter(
            Q(withdrawn_on__isnull=False) | Q(expires_on__isnull=False)
        ),
        annotate=_consent_ended,
        keep=_consent_in_use,
        kept_when=_("an engagement or a referral still rests on it"),
        legal_note=_(
            "A consent is the documentation of the legal basis for the sharing done under it "
            "(GDPR art. 7(1): the controller must be able to show that consent was given). It is "
            "kept five years after it was withdrawn or expired, as long as the records of that "
            "sharing, and never while an engagement or a referral rests on it."
        ),
        order=60,
    )
)

# --------------------------------------------------------------------------- citizens


def _holds(outer: str = "pk") -> Q:
    """Citizens some record still refers to: a plan, an engagement, a consent, a rating...

    Every table that points at the citizen counts, except the family links
    that anonymising removes, so a model added later holds its citizens
    without anyone having to remember this rule (deny by default).
    """
    return referred_to(
        Citizen, where=lambda relation: relation.field.model is not FamilyLink, outer=outer
    )


# Retention's own entries: erasing a citizen's last plan must not restart the
# clock for anonymising them.
_RETENTION_ACTIONS = [codes.ERASE, codes.ANONYMISE]


def _last_activity() -> dict[str, Any]:
    """The latest of the row's own change and any audit entry about the citizen."""
    audited = (
        AuditEntry.objects.filter(citizen_id=OuterRef("pk"))
        .exclude(action__in=_RETENTION_ACTIONS)
        .order_by("-at")
        .values("at")[:1]
    )
    return {
        "last_activity": Greatest(
            "updated_at",
            Coalesce(Subquery(audited), "updated_at"),
            output_field=models.DateTimeField(),
        )
    }


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _citizen_kept(when: AsOf) -> Q:
    """Still referred to, or family of a citizen who is or was active within the period.

    The family links are the other citizen's data too, so they (and this
    citizen with them) stay while that citizen stays. Written as a condition
    on each link (index look-ups per row) rather than "linked to one of the
    active citizens", which made SQLite recompute that set for every row.
    """
    bound = _midnight(when.cutoff)

    def stays(side: str) -> Q:
        """The citizen at this end of a family link stays."""
        recent = AuditEntry.objects.filter(
            citizen_id=OuterRef(f"{side}_id"), at__gte=bound
        ).exclude(action__in=_RETENTION_ACTIONS)
        return (
            _holds(outer=f"{side}_id")
            | Q(Exists(recent))
            | Q(**{f"{side}__updated_at__gte": bound})
        )

    family = Q(
        Exists(FamilyLink.objects.filter(stays("to_citizen"), from_citizen=OuterRef("pk")))
    ) | Q(Exists(FamilyLink.objects.filter(stays("from_citizen"), to_citizen=OuterRef("pk"))))
    return _holds() | family


def anonymise_citizen(citizen: Citizen, rule: RetentionRule) -> list[Entry]:
    """Remove what identifies the citizen; keep the row, its id, sex, birth year, municipality."""
    entries: list[Entry] = []
    links = list(FamilyLink.objects.filter(Q(from_citizen=citizen) | Q(to_citizen=citizen)))
    for link in links:
        entries += entries_for(codes.ERASE, link, {"rule": rule.code})
        link.delete()
    cleared = ["first_name", "last_name", "cpr", "birth_date", "current_unit"]
    login = citizen.user
    citizen.first_name = ANONYMISED_NAME
    citizen.last_name = ""
    citizen.cpr_encrypted = ""
    # Unique and never the shape of a keyed hash (64 hex digits): no number finds it.
    citizen.cpr_hash = f"anonymised:{citizen.pk}"
    # The year is enough for aggregates by age; the day and month help identify.
    citizen.birth_date = dt.date(citizen.birth_date.year, 7, 1)
    citizen.current_unit = None
    citizen.user = None
    citizen.anonymised_on = today()
    citizen.save(
        update_fields=[
            "first_name",
            "last_name",
            "cpr_encrypted",
            "cpr_hash",
            "birth_date",
            "current_unit",
            "user",
            "anonymised_on",
            "updated_at",
        ]
    )
    if login is not None and not hasattr(login, "staff"):
        # The family login has nothing left to show; the row stays (the log names its id).
        login.username = f"anonymised-{login.pk}"
        login.first_name = login.last_name = login.email = ""
        login.set_unusable_password()
        login.is_active = False
        login.save()
        cleared.append("login")
    entries.append(
        entry(
            codes.ANONYMISE,
            citizen,
            citizen_id=citizen.pk,
            detail={"rule": rule.code, "cleared": cleared, "family_links": len(links)},
        )
    )
    return entries


register(
    RetentionRule(
        code="citizens.citizen",
        label=_("citizens with nothing left"),
        model=Citizen,
        counts_from="last_activity",
        since=_("the last change or look-up of the citizen"),
        period=None,
        action=Anonymise(anonymise_citizen),
        records=lambda: Citizen.objects.filter(anonymised_on__isnull=True),
        annotate=_last_activity,
        keep=_citizen_kept,
        kept_when=_(
            "any record still refers to the citizen (plan, engagement, concern, notification, "
            "referral, consent given or about them, rating), or they are family of a citizen "
            "who has records or activity within the period"
        ),
        legal_note=_(
            "A citizen is anonymised, never deleted: audit entries and aggregates refer to the "
            "id. It happens only when no record about them is left and nothing has happened for "
            "the longest period of any rule (by default five years), so that a citizen is never "
            "anonymised while any of their records is still kept."
        ),
        order=100,
    )
)
