from django.urls import path

from tongke.roster import views

app_name = "roster"
urlpatterns = [path("", views.upload, name="upload")]
