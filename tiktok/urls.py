from csp.constants import SELF
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from oauth2_provider import views as oauth_views

from social.forms import LockoutAdminAuthenticationForm
from social.urls import auth_urlpatterns
from videos.serve import serve_media

from .api_errors import api_not_found
from .api_oauth import ThrottledRevokeTokenView, ThrottledTokenView
from .health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("videos.api.urls")),
    # OAuth 2.0 (django-oauth-toolkit): consent screen, token, revocation. Apps are
    # registered and grants revoked at /settings/apps/ (videos/developer.py).
    path(
        "o/",
        include(
            (
                [
                    path("authorize/", oauth_views.AuthorizationView.as_view(), name="authorize"),
                    # Throttled in the "auth" scope, like POST api/v1/auth/token/.
                    path("token/", ThrottledTokenView.as_view(), name="token"),
                    path(
                        "revoke_token/",
                        ThrottledRevokeTokenView.as_view(),
                        name="revoke-token",
                    ),
                ],
                "oauth2_provider",
            )
        ),
    ),
    path("settings/apps/", include("videos.developer")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up code as a file: no inline script (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Redoc runs its search in a Web Worker made from a blob: URL; only this page allows it.
    path(
        "api/redoc/",
        csp_update({"worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(url_name="api-schema")
        ),
        name="api-redoc",
    ),
    # Last of the API routes: any other /api/ path is a JSON 404, not an HTML page.
    re_path(r"^api/", api_not_found, name="api-not-found"),
    *auth_urlpatterns,
    path("", include("social.urls")),
    path("", include("videos.urls")),
]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(re_path(rf"^{media_prefix}(?P<path>.+)$", serve_media, name="media"))

# The admin login counts failures and locks out like the site's own login (social.lockout).
admin.site.login_form = LockoutAdminAuthenticationForm

handler400 = "tiktok.errors.bad_request"
handler404 = "tiktok.errors.not_found"
handler500 = "tiktok.errors.server_error"
