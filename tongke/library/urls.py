from django.urls import path

from tongke.library import authorviews, mediaviews, views

app_name = "library"
urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue/", views.catalogue_page, name="catalogue"),
    path("catalogue/<int:node_id>/", views.catalogue_page, name="node"),
    path("new/", authorviews.resource_new, name="new"),
    path("mine/", authorviews.mine, name="mine"),
    path("r/<int:resource_id>/", views.resource_detail, name="resource"),
    path("r/<int:resource_id>/rate/", views.resource_rate, name="rate"),
    path("r/<int:resource_id>/take-down/", views.resource_take_down, name="take-down"),
    path("r/<int:resource_id>/restore/", views.resource_restore, name="restore"),
    path("r/<int:resource_id>/designate/", views.resource_designate, name="designate"),
    path("r/<int:resource_id>/edit/", authorviews.resource_edit, name="edit"),
    path("r/<int:resource_id>/settings/", authorviews.resource_settings, name="settings"),
    path("r/<int:resource_id>/new-version/", authorviews.version_start, name="version-start"),
    path("r/<int:resource_id>/submit/", authorviews.version_submit, name="submit"),
    path("r/<int:resource_id>/withdraw/", authorviews.version_withdraw, name="withdraw"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/<int:version_id>/", views.review_detail, name="review"),
    path("designations/", views.designations, name="designations"),
    path(
        "designations/<int:designation_id>/remove/",
        views.designation_remove,
        name="designation-remove",
    ),
    path("packages/new/", authorviews.package_new, name="package-new"),
    path("packages/<int:package_id>/", views.package_detail, name="package"),
    path("packages/<int:package_id>/delete/", authorviews.package_delete, name="package-delete"),
    path("assets/<int:asset_id>/status", views.asset_status, name="asset-status"),
    path("bandwidth/", views.bandwidth, name="bandwidth"),
    path("media/<int:asset_id>/<str:label>", mediaviews.media_file, name="media"),
]
