from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "tongke.courses"
    label = "courses"
