from django.urls import path

from . import views

app_name = "interop"

urlpatterns = [
    path("", views.returns, name="returns"),
    path("download/", views.download, name="download"),
    path("imports/<int:pk>/", views.attempt, name="attempt"),
    path("imports/<int:pk>/problems.csv", views.attempt_problems_csv, name="attempt_problems"),
    path("imports/<int:pk>/confirm/", views.attempt_confirm, name="attempt_confirm"),
    path("imports/<int:pk>/cancel/", views.attempt_cancel, name="attempt_cancel"),
]
