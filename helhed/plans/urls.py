"""URLs of the plans app, mounted at the site root.

Each view module owns its paths (``/plans/``, ``/concerns/``, ``/referrals/``,
``/meetings/`` and ``/actions/``, ``/stories/``, ``/worklist/``, ``/familie/``)
so an area can be found, and changed, in one place.
"""

from __future__ import annotations

from helhed.plans.views import (
    concerns,
    contacts,
    contradictions,
    family,
    handovers,
    journey,
    meetings,
    payments,
    plans,
    referrals,
    stories,
    worklist,
)

app_name = "plans"
urlpatterns = [
    *plans.urlpatterns,
    *concerns.urlpatterns,
    *referrals.urlpatterns,
    *meetings.urlpatterns,
    *stories.urlpatterns,
    *worklist.urlpatterns,
    *family.urlpatterns,
    *payments.urlpatterns,
    *handovers.urlpatterns,
    *contacts.urlpatterns,
    *journey.urlpatterns,
    *contradictions.urlpatterns,
]
