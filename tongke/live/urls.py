from django.urls import path

from tongke.live import views

app_name = "live"

urlpatterns = [
    path("", views.home, name="home"),
    path("class/<int:class_id>/", views.class_calendar, name="class-calendar"),
    path("partnerships/", views.partnerships, name="partnerships"),
    path("partnerships/<int:partnership_id>/", views.partnership, name="partnership"),
    path("partnerships/<int:partnership_id>/schedule/", views.schedule, name="schedule"),
    path("<int:session_id>/", views.session, name="session"),
    path("<int:session_id>/room/", views.room, name="room"),
    path("<int:session_id>/report/<int:classroom_id>/", views.report, name="report"),
    path("<int:session_id>/recording/<int:seq>/", views.recording_chunk, name="recording-chunk"),
    path("<int:session_id>/recording/finish/", views.recording_finish, name="recording-finish"),
]
