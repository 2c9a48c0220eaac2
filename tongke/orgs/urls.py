from django.urls import path

from tongke.orgs import admin_views, views

app_name = "orgs"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit"),
    path("audit/", views.audit_log, name="audit"),
]

urlpatterns += [
    path("units/<int:unit_id>/edit/", admin_views.unit_edit, name="unit-edit"),
    path("units/<int:unit_id>/add/<str:kind>/", admin_views.unit_add, name="unit-add"),
    path("units/<int:unit_id>/add-student/", admin_views.add_student, name="add-student"),
    path("people/", admin_views.person_list, name="people"),
    path("people/<int:person_id>/", admin_views.person_detail, name="person"),
    path("people/<int:person_id>/edit/", admin_views.person_edit, name="person-edit"),
    path("people/<int:person_id>/password/", admin_views.person_password, name="person-password"),
    path("people/<int:person_id>/roles/", admin_views.role_grant, name="role-grant"),
    path("people/<int:person_id>/add-parent/", admin_views.add_parent, name="add-parent"),
    path("roles/<int:role_id>/revoke/", admin_views.role_revoke, name="role-revoke"),
]
