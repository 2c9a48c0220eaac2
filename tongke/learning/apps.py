from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "tongke.learning"
    label = "learning"
    verbose_name = "Learning platform"
