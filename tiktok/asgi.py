"""ASGI entry point: HTTP through Django, WebSockets through Channels (/ws/live/)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiktok.settings")
# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from videos.routing import websocket_urlpatterns  # noqa: E402

from . import daphne_forms  # noqa: E402

# Bodies reach Django as sent: Twisted must not parse (or refuse) forms first.
daphne_forms.disable()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
