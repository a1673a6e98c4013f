"""The citizens app's models that hold personal data: every change is audited."""

from __future__ import annotations

from helhed.audit.tracking import track
from helhed.citizens.models import Citizen, Consent, Engagement, FamilyLink

track(Citizen, lambda c: [c.pk])
track(FamilyLink, lambda link: [link.from_citizen_id, link.to_citizen_id])
track(Consent, lambda consent: [consent.citizen_id])
track(Engagement, lambda engagement: [engagement.citizen_id])
