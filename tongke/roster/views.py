from django.http import HttpRequest, HttpResponse


def upload(request: HttpRequest) -> HttpResponse:  # replaced by the roster import page
    return HttpResponse(status=501)
