from django.urls import path

from . import (
    correction_views,
    own_account_views,
    ownership_views,
    passport_views,
    summary_views,
    views,
)

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
    path("children/<int:pk>/passport/", passport_views.prepare, name="passport_prepare"),
    path("passports/<int:pk>/", passport_views.detail, name="passport"),
    path("passports/<int:pk>/pdf/", passport_views.pdf, name="passport_pdf"),
    path("passports/owed/", passport_views.owed, name="passports_owed"),
    path("passport-settings/", passport_views.settings_index, name="passport_settings_index"),
    path(
        "passport-settings/<str:code>/",
        passport_views.settings_edit,
        name="passport_settings_edit",
    ),
    path("children/<int:pk>/invite/", own_account_views.invite, name="invite"),
    path(
        "children/<int:pk>/own-account/withdraw/",
        own_account_views.withdraw,
        name="own_account_withdraw",
    ),
    path("passport-corrections/<int:pk>/", own_account_views.answer, name="correction_answer"),
    path("my/invitation/<str:token>/", own_account_views.accept, name="accept"),
    path("my/", own_account_views.my_home, name="my_home"),
    path("my/passport/", own_account_views.my_passport, name="my_passport"),
    path("my/passport/pdf/", own_account_views.my_passport_pdf, name="my_passport_pdf"),
    path("my/feedback/", own_account_views.my_feedback, name="my_feedback"),
    path("my/correction/", own_account_views.my_correction, name="my_correction"),
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
