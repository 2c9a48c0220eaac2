from django.urls import include, path

from config.api import api
from tongke.core.views import healthz

urlpatterns = [
    path("", include("tongke.portal.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("tongke.accounts.urls")),
    path("orgs/", include("tongke.orgs.urls")),
    path("roster/", include("tongke.roster.urls")),
    path("courses/", include("tongke.courses.urls")),
    path("library/", include("tongke.library.urls")),
    path("learning/", include("tongke.learning.urls")),
    path("live/", include("tongke.live.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]

handler400 = "tongke.core.views.bad_request"
handler403 = "tongke.core.views.forbidden"
handler404 = "tongke.core.views.not_found"
handler500 = "tongke.core.views.server_error"
