from __future__ import annotations

from django.urls import path

from helhed.citizens import views

app_name = "citizens"
urlpatterns = [
    path("", views.citizen_list, name="list"),
    path("register/", views.register, name="register"),
    path("<int:citizen_id>/", views.detail, name="detail"),
    path("<int:citizen_id>/consents/", views.consent_record, name="consent_record"),
    path(
        "<int:citizen_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("family/consents/", views.family_consents, name="family_consents"),
    path(
        "family/consents/<int:consent_id>/withdraw/",
        views.family_consent_withdraw,
        name="family_consent_withdraw",
    ),
    path("emergency/", views.emergency, name="emergency"),
]
