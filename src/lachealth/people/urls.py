from django.urls import path

from . import access_log_views, account_views, views

app_name = "people"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign_in"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-in/set-up/", views.enrol, name="enrol"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("account/", account_views.account, name="account"),
    path("account/password/", account_views.change_password, name="change_password"),
    path(
        "account/authenticator-reset/<str:secret>/",
        account_views.confirm_reset,
        name="confirm_reset",
    ),
    path("admin/waiting/", account_views.waiting, name="waiting"),
    path("admin/organisations/", views.organisation_list, name="organisation_list"),
    path("admin/organisations/new/", views.organisation_edit, name="organisation_create"),
    path("admin/organisations/<int:pk>/", views.organisation_edit, name="organisation_edit"),
    path("admin/users/", views.user_list, name="user_list"),
    path("admin/users/new/", views.user_create, name="user_create"),
    path("admin/users/<int:pk>/", views.user_detail, name="user_detail"),
    path("admin/access-log/", access_log_views.access_log, name="access_log"),
]
