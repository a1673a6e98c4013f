from __future__ import annotations

from django.urls import path

from helhed.organisation import views, views_directory

app_name = "organisation"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit"),
    *views_directory.urlpatterns,
]
