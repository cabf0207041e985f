from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "dudao.organisations"
    label = "organisations"
