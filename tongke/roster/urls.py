from django.urls import path

from tongke.roster import views

app_name = "roster"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("imports/<int:import_id>/", views.detail, name="detail"),
    path("imports/<int:import_id>/report.csv", views.report_download, name="report"),
]
