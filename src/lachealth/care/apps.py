from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "lachealth.care"
    label = "care"
    verbose_name = "Care record"

    def ready(self) -> None:
        from lachealth.people import selectors as people_selectors

        from .selectors import child_ids_matching

        people_selectors.register_child_finder(child_ids_matching)
