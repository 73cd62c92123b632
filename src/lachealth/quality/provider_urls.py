"""The providers of external provision, the shared visit timetable, the concerns register
and joint-funded placements (included by `urls.py`, in the `quality` namespace)."""

from django.urls import path

from . import joint_funding_views
from . import provider_views as views

urlpatterns = [
    path("providers/", views.provider_list, name="providers"),
    path("providers/add/", views.provider_add, name="provider_add"),
    path("providers/<int:pk>/", views.provider_detail, name="provider"),
    path("providers/<int:pk>/change/", views.provider_edit, name="provider_edit"),
    path("visits/", views.timetable, name="timetable"),
    path("visits/schedule/", views.visit_schedule, name="visit_schedule"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/outcome/", views.visit_outcome, name="visit_outcome"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("concerns/", views.concern_list, name="concerns"),
    path("concerns/raise/", views.concern_raise, name="concern_raise"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern"),
    path("concerns/<int:pk>/update/", views.concern_update, name="concern_update"),
    path("placed-with-concerns/", views.placed_with_concerns, name="placed_with_concerns"),
    path(
        "children/<int:pk>/joint-funding/", joint_funding_views.joint_funding, name="joint_funding"
    ),
]
