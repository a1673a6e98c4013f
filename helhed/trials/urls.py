"""URLs of the trials app, mounted at /trials/."""

from __future__ import annotations

from helhed.trials.views import trials

app_name = "trials"
urlpatterns = [*trials.urlpatterns]
