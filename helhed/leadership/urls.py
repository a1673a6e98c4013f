"""URLs of the leadership app ("room to lead"), mounted at /leadership/.

Each view module owns its paths: the overview (``home``), the rule register
(``rules``), the documentation register (``documentation``), burden proposals
(``proposals``), management span (``span``), shared principles and methods
(``principles``), reforms and local decisions (``reforms``) and leader teams
(``teams``).
"""

from __future__ import annotations

from helhed.leadership.views import (
    documentation,
    home,
    principles,
    proposals,
    reforms,
    rules,
    span,
    teams,
)

app_name = "leadership"
urlpatterns = [
    *home.urlpatterns,
    *rules.urlpatterns,
    *documentation.urlpatterns,
    *proposals.urlpatterns,
    *span.urlpatterns,
    *principles.urlpatterns,
    *reforms.urlpatterns,
    *teams.urlpatterns,
]
