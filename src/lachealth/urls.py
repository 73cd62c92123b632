"""URL map: people (sign-in, administration), care (children), health, handovers, SSDA903
returns, the health check."""

from django.urls import include, path

from lachealth import views
from lachealth.people import views as people_views

urlpatterns = [
    path("", people_views.home, name="home"),
    path("health", views.health, name="health"),
    path("", include("lachealth.people.urls")),
    path("children/", include("lachealth.care.urls")),
    path("", include("lachealth.health.urls")),
    path("", include("lachealth.handovers.urls")),
    path("returns/", include("lachealth.interop.urls")),
    path("measures/", include("lachealth.insight.urls")),
    path("quality/", include("lachealth.quality.urls")),
]

handler403 = "lachealth.views.permission_denied"
handler400 = "lachealth.views.bad_request"
handler404 = "lachealth.views.page_not_found"
handler500 = "lachealth.views.server_error"
