from django.urls import path

from tongke.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit"),
    path("audit/", views.audit_log, name="audit"),
]
