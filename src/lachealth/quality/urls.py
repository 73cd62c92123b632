from django.urls import include, path

from . import views

app_name = "quality"

urlpatterns = [
    path("", views.index, name="index"),
    path("samples/draw/", views.draw, name="draw"),
    path("samples/<int:pk>/", views.sample, name="sample"),
    path("samples/<int:pk>/add/", views.sample_add, name="sample_add"),
    path("sampled/<int:pk>/score/", views.score, name="score"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("mine/", views.mine, name="mine"),
    path("results/<int:pk>/", views.results, name="results"),
    path("tools/<int:pk>/", views.tool, name="tool"),
    path("tools/<int:pk>/change/", views.tool_change, name="tool_change"),
    path("settings/<str:code>/", views.settings_page, name="settings"),
    path("", include("lachealth.quality.provider_urls")),
]
