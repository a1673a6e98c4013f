from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from helhed import views
from helhed.accounts import views as account_views
from helhed.api.api import api

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", account_views.LoginView.as_view(), name="login"),
    # POST only (Django's LogoutView refuses GET): a link cannot sign anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("helhed.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("organisation/", include("helhed.organisation.urls")),
    path("citizens/", include("helhed.citizens.urls")),
    path("feedback/", include("helhed.feedback.urls")),
    path("results/", include("helhed.results.urls")),
    path("audit/", include("helhed.audit.urls")),
    path("leadership/", include("helhed.leadership.urls")),
    path("forums/", include("helhed.forums.urls")),
    path("trials/", include("helhed.trials.urls")),
    path("analytics/", include("helhed.analytics.urls")),
    path("", include("helhed.plans.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "Helhed"
admin.site.site_title = "Helhed"
