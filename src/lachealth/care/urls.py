from django.urls import path

from . import team_views, views

app_name = "care"

urlpatterns = [
    path("", views.child_list, name="child_list"),
    path("new/", views.child_create, name="child_create"),
    path("<int:pk>/", views.child_detail, name="child_detail"),
    path("<int:pk>/history/", views.child_history, name="child_history"),
    path("<int:pk>/details/", views.child_edit, name="child_edit"),
    path("<int:pk>/change/", views.change_create, name="change_create"),
    path("<int:pk>/leaving-care/", views.leaving_create, name="leaving_create"),
    path("<int:pk>/new-period/", views.period_create, name="period_create"),
    path(
        "<int:pk>/episodes/<int:episode_pk>/correct/",
        views.episode_correct,
        name="episode_correct",
    ),
    path(
        "<int:pk>/episodes/<int:episode_pk>/withdraw/",
        views.episode_withdraw,
        name="episode_withdraw",
    ),
    path("<int:pk>/team/add/", team_views.team_add, name="team_add"),
    path("<int:pk>/team/<int:member_pk>/", team_views.team_edit, name="team_edit"),
    path(
        "<int:pk>/team/<int:member_pk>/withdraw/",
        team_views.team_withdraw,
        name="team_withdraw",
    ),
]
