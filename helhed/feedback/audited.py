"""Ratings are personal data about the rated citizen: every change is audited."""

from __future__ import annotations

from helhed.audit.tracking import track
from helhed.feedback.models import Rating

track(Rating, lambda rating: [rating.citizen_id])
