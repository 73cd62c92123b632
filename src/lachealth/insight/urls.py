from django.urls import path

from . import projection_views, views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report.pdf", views.report, name="report"),
    path("download/<str:table>.<str:fmt>", views.download, name="download"),
    path("projections/", projection_views.projections, name="projections"),
    path(
        "projections/download.<str:fmt>",
        projection_views.download,
        name="projection_download",
    ),
    path("projections/costs/", projection_views.unit_costs, name="unit_costs"),
    path("<str:measure_key>/children/", views.children, name="children"),
]
