from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "tongke.library"
    label = "library"
    verbose_name = "Lesson library"
