"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse

from tongke.accounts import services
from tongke.core.errors import Throttled
from tongke.core.request_context import client_ip


class LoginView(auth_views.LoginView):
    """Django's sign-in view with a throttle on failed attempts (per username and address).

    The raw posted username goes to the throttle, which normalises it the way the form
    does (services.login_normalize_username): every spelling of a name counts as one."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        try:
            services.login_check_throttle(username=username, ip=client_ip(request))
        except Throttled as exc:
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, str(exc.message))
            response: HttpResponse = self.render_to_response(self.get_context_data(form=form))
            response.status_code = 429
            response["Retry-After"] = str(exc.detail["retry_after_s"])
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        services.login_record_success(username=form.get_user().get_username())
        return super().form_valid(form)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        services.login_record_failure(
            username=self.request.POST.get("username", ""), ip=client_ip(self.request)
        )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    pass
