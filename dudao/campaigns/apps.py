from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "dudao.campaigns"
    label = "campaigns"
