from django.urls import path

from . import views

app_name = "health"

urlpatterns = [
    path("worklist/", views.worklist, name="worklist"),
    path("children/<int:pk>/book/", views.book, name="book"),
    path("children/<int:pk>/assessments/new/", views.assessment_create, name="assessment_create"),
    path("children/<int:pk>/sdq/new/", views.sdq_create, name="sdq_create"),
    path("appointments/<int:pk>/outcome/", views.outcome, name="outcome"),
    path("actions/", views.my_actions, name="actions"),
    path("actions/<int:pk>/done/", views.action_done, name="action_done"),
]
