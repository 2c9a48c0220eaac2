from django.urls import path

from tongke.courses import roundviews, views

app_name = "courses"
urlpatterns = [
    path("", views.catalogue_page, name="catalogue"),
    path("mine/", views.mine, name="mine"),
    path("home/", views.home, name="home"),
    path("home/approve-all/", views.approve_all, name="approve-all"),
    path("selections/<int:selection_id>/drop/", views.drop, name="drop"),
    path("selections/<int:selection_id>/decide/", views.decide, name="decide"),
    path("rounds/", roundviews.rounds, name="rounds"),
    path("rounds/<int:round_id>/", roundviews.round_detail, name="round"),
    path("rounds/<int:round_id>/live/", roundviews.round_live, name="round-live"),
    path("rounds/<int:round_id>/status/", roundviews.round_status, name="round-status"),
    path("rounds/<int:round_id>/draw/", roundviews.round_draw, name="round-draw"),
    path("rounds/<int:round_id>/sections/", roundviews.offering_add, name="offering-add"),
    path("rounds/<int:round_id>/preferences/", views.preferences, name="preferences"),
    path("offerings/<int:offering_id>/roster/", roundviews.roster, name="roster"),
]
