from django.urls import path

from . import correction_views, ownership_views, summary_views, views

app_name = "health"

urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("children/<int:pk>/book/", views.book, name="book"),
    path("children/<int:pk>/assessments/new/", views.assessment_create, name="assessment_create"),
    path("children/<int:pk>/take-over/", ownership_views.take_over, name="take_over"),
    path("children/<int:pk>/sdq/new/", views.sdq_create, name="sdq_create"),
    path("children/<int:pk>/sdq-chart.svg", views.sdq_chart, name="sdq_chart"),
    path("children/<int:pk>/clinical-summary/add/", summary_views.entry_add, name="entry_add"),
    path("clinical-summary/<int:pk>/", summary_views.entry_edit, name="entry_edit"),
    path(
        "clinical-summary/<int:pk>/withdraw/", summary_views.entry_withdraw, name="entry_withdraw"
    ),
    path("appointments/", views.appointments, name="appointments"),
    path("appointments/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("actions/", views.my_actions, name="actions"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
    path("actions/<int:pk>/change/", correction_views.action_correct, name="action_correct"),
    path(
        "assessments/<int:pk>/change/",
        correction_views.assessment_correct,
        name="assessment_correct",
    ),
    path("sdq/<int:pk>/change/", correction_views.sdq_correct, name="sdq_correct"),
    path("appointments/<int:pk>/change/", correction_views.booking_correct, name="booking_correct"),
    path(
        "health-records/<str:kind>/<int:pk>/withdraw/",
        correction_views.record_withdraw,
        name="withdraw",
    ),
]
