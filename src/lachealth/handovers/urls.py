from django.urls import path

from . import views

app_name = "handovers"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/", views.notification_detail, name="notification_detail"),
    path("notifications/<int:pk>/send/", views.notification_send, name="notification_send"),
    path(
        "notifications/<int:pk>/acknowledge/",
        views.notification_acknowledge,
        name="notification_acknowledge",
    ),
    path("notifications/<int:pk>/accept/", views.notification_accept, name="notification_accept"),
    path("notifications/<int:pk>/reject/", views.notification_reject, name="notification_reject"),
    path(
        "notifications/<int:pk>/messages/",
        views.notification_message,
        name="notification_message",
    ),
    path("referrals/", views.referral_list, name="referral_list"),
    path("actions/<int:action_pk>/refer/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path(
        "referrals/<int:pk>/acknowledge/",
        views.referral_acknowledge,
        name="referral_acknowledge",
    ),
    path("referrals/<int:pk>/decide/", views.referral_decide, name="referral_decide"),
    path("referrals/<int:pk>/seen/", views.referral_seen, name="referral_seen"),
    path("referrals/<int:pk>/messages/", views.referral_message, name="referral_message"),
    path("handover-settings/", views.settings_index, name="settings_index"),
    path("handover-settings/<str:code>/", views.settings_edit, name="settings_edit"),
]
