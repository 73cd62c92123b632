from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "lachealth.quality"
    label = "quality"
    verbose_name = "Quality assurance"

    def ready(self) -> None:
        from lachealth.care import panels
        from lachealth.people import home

        from .provider_views import home_sections, quality_panel
        from .views import home_sections as qa_home_sections

        panels.register("quality/_quality_panel.jinja", quality_panel)
        home.register(qa_home_sections)
        home.register(home_sections)
