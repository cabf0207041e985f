from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "dudao.campaigns"
    label = "campaigns"

    def ready(self):
        from . import report, results  # noqa: F401 (register the campaign reports with the exporter)
