from __future__ import annotations

from helhed.feedback.views import urlpatterns as feedback_urlpatterns

app_name = "feedback"
urlpatterns = [*feedback_urlpatterns]
