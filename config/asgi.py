"""The one ASGI application: HTTP through Django, WebSockets (live-class rooms) through
Channels, signed in by the same session cookie and opened only from this site's own pages
(``config.ws_origin``). Request bodies are capped before Django reads them
(``config.body_limit``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.base")
django_asgi = get_asgi_application()  # sets Django up before the consumers are imported

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from config.body_limit import BodyLimitMiddleware  # noqa: E402
from config.ws_origin import SameOriginValidator  # noqa: E402
from tongke.live.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimitMiddleware(django_asgi),
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
