"""Signals other apps listen to, so organisation never imports them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a reorganisation opened ``new`` as the successor of ``old`` on
# ``on``. The citizens app moves open engagements to the successor.
unit_succeeded = Signal()
