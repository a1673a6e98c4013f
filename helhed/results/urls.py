"""URLs of the results app, mounted at /results/.

Each view module owns its paths so an area can be found, and changed, in one
place: the catalogue with targets and measurements (``catalogue``), the
committees, ambitions and markers and the unit pages (``chain``, ``units``),
the status reports (``reports``), turning the curve and reflection meetings
(``curves``, ``reflections``).
"""

from __future__ import annotations

from helhed.results.views import catalogue, chain, curves, reflections, reports, units

app_name = "results"
urlpatterns = [
    *units.urlpatterns,
    *chain.urlpatterns,
    *catalogue.urlpatterns,
    *reports.urlpatterns,
    *curves.urlpatterns,
    *reflections.urlpatterns,
]
