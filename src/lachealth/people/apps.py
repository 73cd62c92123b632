from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "lachealth.people"
    label = "people"
    verbose_name = "People and organisations"
