from __future__ import annotations

from django.urls import path

from helhed.audit import views

app_name = "audit"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("review/", views.review_access, name="review"),
    path("review/staff/<int:staff_id>/", views.review_staff, name="review_staff"),
]
