from django.urls import path

from tongke.learning import assignviews, bankviews, views

app_name = "learning"
urlpatterns = [
    path("", views.home, name="home"),
    path("practice/", views.practice_page, name="practice"),
    path("practice/answers/<int:response_id>/", views.practice_answered, name="answered"),
    path("assignments/<int:assignment_id>/", assignviews.assignment_detail, name="assignment"),
    path("assignments/<int:assignment_id>/start/", assignviews.assignment_start, name="start"),
    path("assignments/<int:assignment_id>/answer/", assignviews.assignment_answer, name="answer"),
    path("assignments/<int:assignment_id>/submit/", assignviews.assignment_submit, name="submit"),
    path("responses/<int:response_id>/grade/", assignviews.response_grade, name="grade"),
    path("assign/", assignviews.assign, name="assign"),
    path("graph/<str:subject>/", views.graph_page, name="graph"),
    path("classes/<int:class_id>/heatmap/", assignviews.heatmap, name="heatmap"),
    path("learners/<int:learner_id>/", views.learner_page, name="learner"),
    path("bank/", bankviews.bank_page, name="bank"),
    path("bank/import/", bankviews.bank_import, name="bank-import"),
]
