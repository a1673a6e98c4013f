from __future__ import annotations

from django.urls import path

from helhed.citizens import views

app_name = "citizens"
urlpatterns = [
    path("", views.citizen_list, name="list"),
    path("register/", views.register, name="register"),
    path("<int:citizen_id>/", views.detail, name="detail"),
]
