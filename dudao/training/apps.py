from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "dudao.training"
    label = "training"
