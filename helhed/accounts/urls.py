from __future__ import annotations

from django.urls import path

from helhed.accounts import views

app_name = "accounts"
urlpatterns = [
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/start/", views.two_factor_start, name="two_factor_start"),
    path("two-factor/confirm/", views.two_factor_confirm, name="two_factor_confirm"),
    path("two-factor/remove/", views.two_factor_remove, name="two_factor_remove"),
    path("code/", views.verify, name="verify"),
]
