"""URLs of the forums app, mounted at /forums/: forums and decisions, the board, self-assessment."""

from __future__ import annotations

from helhed.forums.views import assessments, board, forums

app_name = "forums"
urlpatterns = [*forums.urlpatterns, *board.urlpatterns, *assessments.urlpatterns]
