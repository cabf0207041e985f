from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "dudao.campaigns"
    label = "campaigns"

    def ready(self):
        from . import results  # noqa: F401 (registers the results report with the exporter)
