"""Repeater settings: wiring only, every knob read from the environment.

A fresh clone runs with no configuration at all (SQLite, in-memory channel layer,
eager tasks, local media). Setting DATABASE_URL / REDIS_URL / AWS_STORAGE_BUCKET_NAME
switches each concern to its scale-out backend independently.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "").strip()
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = os.environ.get("SITE_NAME", "Repeater")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "oauth2_provider",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "taggit",
    "csp",
    "social",
    "videos",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tiktok.middleware.RejectNulBytesMiddleware",
    "tiktok.middleware.ApiSingleQueryValuesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise (static files need no policy), before anything that renders HTML.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tiktok.urls"
WSGI_APPLICATION = "tiktok.wsgi.application"
ASGI_APPLICATION = "tiktok.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tiktok.context_processors.site",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file (not :memory:) so the end-to-end tests' daphne process sees the same data;
    # WAL and a busy timeout keep the site usable while a transcode writes.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # TEST_DB_SUFFIX lets two test runs on one checkout keep separate files.
    test_db = f".test-db{os.environ.get('TEST_DB_SUFFIX', '')}.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / test_db)}
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- redis: channel layer, cache, celery -------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": os.environ.get("CHANNELS_PREFIX", "asgi")},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_PREFIX", "repeater"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
# No broker: tasks run eagerly in-process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
# A separate queue name lets test runs and several sites share one Redis safely.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Periodic jobs for `celery -A tiktok beat` (or run the same management commands from cron).
CELERY_BEAT_SCHEDULE = {
    # Files of data exports that expired or were downloaded (manage.py privacy_cleanup).
    "data-exports-cleanup": {"task": "videos.data_exports_cleanup", "schedule": 3600.0},
}

# --- auth -----------------------------------------------------------------------------
AUTH_USER_MODEL = "social.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "videos:for_you"
LOGOUT_REDIRECT_URL = "videos:for_you"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
MINIMUM_AGE = 13
# The lockout backend only says "no" (while a username or an address is locked out); the
# model backend below it checks passwords. Sessions name the model backend, as before.
# RestrictionAwareModelBackend is Django's ModelBackend that also refuses suspended and
# banned accounts (social/restrictions.py), at login and for existing sessions.
AUTHENTICATION_BACKENDS = [
    "social.lockout.LockoutBackend",
    "social.restrictions.RestrictionAwareModelBackend",
]
# Login throttling (web login, admin login and POST /api/v1/auth/token/): this many failures
# for one username, or from one address, within the window lock it out for LOCKOUT_SECONDS.
LOGIN_LOCKOUT_FAILURES = env_int("LOGIN_LOCKOUT_FAILURES", 5)
LOGIN_LOCKOUT_IP_FAILURES = env_int("LOGIN_LOCKOUT_IP_FAILURES", 5)
LOGIN_LOCKOUT_WINDOW_SECONDS = env_int("LOGIN_LOCKOUT_WINDOW_SECONDS", 15 * 60)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 15 * 60)
# How many reverse proxies in front of the site append to X-Forwarded-For. 0 (the default)
# trusts only REMOTE_ADDR; behind one proxy set 1, or every visitor shares the proxy's address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
if env_bool("FAST_PASSWORD_HASHER", False):  # tests' server processes only: never in production
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- i18n -----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- static and media -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Originals as uploaded are never served: they live outside MEDIA_ROOT (or in a
# private bucket prefix) and are only read by the pipeline and the data export.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))

AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None
    AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY") or None
    AWS_QUERYSTRING_AUTH = env_bool("AWS_QUERYSTRING_AUTH", False)
    AWS_DEFAULT_ACL = None
    AWS_S3_FILE_OVERWRITE = False
    AWS_S3_OBJECT_PARAMETERS = {"CacheControl": "max-age=86400"}
    default_storage = {"BACKEND": "storages.backends.s3.S3Storage"}
    private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"location": "private", "querystring_auth": True, "default_acl": "private"},
    }
else:
    default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": "/private-media-not-served/"},
    }
STORAGES = {
    "default": default_storage,
    "private": private_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve MEDIA_ROOT from Django (with Range) unless media live on S3.
SERVE_MEDIA = env_bool("SERVE_MEDIA", not AWS_STORAGE_BUCKET_NAME)

# --- uploads and media limits ------------------------------------------------------------
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 200 * 1024 * 1024)
VIDEO_MAX_SECONDS = env_int("VIDEO_MAX_SECONDS", 600)
AVATAR_MAX_BYTES = 10 * 1024 * 1024
FFMPEG_BINARY = os.environ.get("FFMPEG_BINARY", "")
FFMPEG_TIMEOUT_SECONDS = env_int("FFMPEG_TIMEOUT_SECONDS", 900)
FFMPEG_MEMORY_BYTES = env_int("FFMPEG_MEMORY_BYTES", 2 * 1024 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
FILE_UPLOAD_PERMISSIONS = 0o644
# Moderation (videos/moderation.py): a video reported by this many distinct people (open
# reports) leaves For You, trending and exploration until a moderator decides.
REPORT_AUTOHIDE_THRESHOLD = env_int("REPORT_AUTOHIDE_THRESHOLD", 3)
# Privacy rights (videos/privacy.py): a new data export at most this often per person.
DATA_EXPORT_COOLDOWN_SECONDS = env_int("DATA_EXPORT_COOLDOWN_SECONDS", 15 * 60)

# --- REST API ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "social.restrictions.RestrictionAwareTokenAuthentication",
        "tiktok.api_oauth.ScopedOAuth2Authentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "tiktok.api_schema.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "videos.api.pagination.NewestCursorPagination",
    "PAGE_SIZE": 10,
    "EXCEPTION_HANDLER": "tiktok.api_errors.exception_handler",
    # Every API request is counted in one scope, per user or per anonymous address
    # (tiktok/api_throttling.py); "<scope>_anon" rates apply to anonymous clients.
    "DEFAULT_THROTTLE_CLASSES": ["tiktok.api_throttling.ScopedUserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        scope: os.environ.get(f"API_THROTTLE_{scope.upper()}", default)
        for scope, default in {
            "auth": "10/min",
            "upload": "30/hour",
            "comment": "30/min",
            "like": "120/min",
            "report": "30/hour",
            "read": "600/min",
            "read_anon": "300/min",
            "write": "120/min",
        }.items()
    },
}
# OAuth 2.0 for third-party apps (django-oauth-toolkit): authorization code + PKCE only.
# Apps are registered at /settings/apps/; tokens are limited to their scopes (tiktok/api_oauth.py).
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": _("Read your profile, feeds, videos and notifications"),
        "write": _("Like, comment, follow and edit or delete your videos"),
        "upload": _("Upload videos and sounds for you"),
    },
    "DEFAULT_SCOPES": ["read"],
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"] if DEBUG else ["https"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("OAUTH_ACCESS_TOKEN_SECONDS", 3600),
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 60 * 60 * 24 * 30,
    "ROTATE_REFRESH_TOKEN": True,
    # RFC 9700 (OAuth 2.0 Security BCP): no implicit or password grants, S256 PKCE only,
    # bearer tokens only in the header, `iss` in the response, hashed tokens, replay detection.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": "Public REST API of a self-hostable short-video platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "OAUTH2_FLOWS": ["authorizationCode"],
    "OAUTH2_AUTHORIZATION_URL": "/o/authorize/",
    "OAUTH2_TOKEN_URL": "/o/token/",
    "OAUTH2_REFRESH_URL": "/o/token/",
    # OpenAPI links between operations, for clients and stateful fuzzing (tiktok/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tiktok.api_schema.add_links",
    ],
}

# --- security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the upload script reads it for XHR
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers and orchestrators probe liveness over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True


# --- Content-Security-Policy (django-csp) ---------------------------------------------------
# Scripts run only from our own origin or with this response's nonce: every <script> in our
# templates carries nonce="{{ request.csp_nonce }}", and there are no inline handlers.
def _media_origins() -> list[str]:
    """Where media may come from besides our own origin: the bucket or its custom domain."""
    if not AWS_STORAGE_BUCKET_NAME:
        return []
    if AWS_S3_CUSTOM_DOMAIN:
        return [f"https://{AWS_S3_CUSTOM_DOMAIN}"]
    if AWS_S3_ENDPOINT_URL:
        from urllib.parse import urlsplit

        endpoint = urlsplit(AWS_S3_ENDPOINT_URL)
        origin = f"{endpoint.scheme}://{endpoint.netloc}"
        # Path-style (endpoint/bucket/key) and virtual-hosted (bucket.endpoint/key) URLs.
        return [origin, f"{endpoint.scheme}://{AWS_STORAGE_BUCKET_NAME}.{endpoint.netloc}"]
    hosts = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
    if AWS_S3_REGION_NAME:
        hosts.append(f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com")
    return hosts


def _websocket_sources() -> list[str]:
    """/ws/live/ on our own hosts. CSP Level 3 lets 'self' match ws(s):// of the page's own
    host, but older Safari does not, so the allowed hosts are named too, never all hosts."""
    sources: list[str] = []
    for host in ALLOWED_HOSTS:
        if host == "*":
            return ["wss:", "ws:"] if DEBUG else ["wss:"]
        if host.startswith("["):
            continue  # CSP has no syntax for IPv6 literals; 'self' covers them
        names = [f"*{host}", host[1:]] if host.startswith(".") else [host]
        for name in names:
            sources.append(f"wss://{name}:*")
            if DEBUG:  # plain-HTTP development servers only
                sources.append(f"ws://{name}:*")
    return sources


MEDIA_ORIGINS = _media_origins() + env_list("CSP_EXTRA_MEDIA_ORIGINS", [])
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        # Styles: our stylesheet plus style="" attributes, which the templates use for values
        # only the server knows (each video's aspect ratio "--ar", avatar sizes) and the
        # admin's widgets use too. A nonce cannot cover attributes, and a nonce in style-src
        # would make browsers ignore 'unsafe-inline'. CSS cannot run script, and every piece
        # of user text reaching a page is escaped, so scripts stay locked down by nonce.
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", *MEDIA_ORIGINS],
        "media-src": [SELF, *MEDIA_ORIGINS],
        "connect-src": [SELF, *_websocket_sources()],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
    },
}

# --- For You recommender (videos/feed/, docs/FEED.md) ----------------------------------------
# The share of For You slots that go to the exploration pool (new videos being tested), 0–1.
FEED_EXPLORATION_SHARE = float(os.environ.get("FEED_EXPLORATION_SHARE", "0.15"))
