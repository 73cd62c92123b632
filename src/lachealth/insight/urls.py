from django.urls import path

from . import views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report.pdf", views.report, name="report"),
    path("download/<str:table>.<str:fmt>", views.download, name="download"),
    path("<str:measure_key>/children/", views.children, name="children"),
]
