from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "dudao.checklists"
    label = "checklists"
