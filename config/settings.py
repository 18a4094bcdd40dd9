"""Settings for the goals tracker, every value read from the environment.

Each helper (config/env.py) is strict: a value it cannot read stops start-up with an
ImproperlyConfigured message that names the variable and what was wrong.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.env import database_from_url, env_bool, env_int, env_key, env_list, env_secret

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "development-only-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "goals.accounts.axes_app.AxesConfig",  # django-axes, named for the admin
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "goals",
    # Capabilities with management commands of their own (their models are in goals.models).
    "goals.planning",
    "goals.reporting",
    "goals.accounts",
    "goals.reminders",
    "goals.briefings",
    "goals.workbooks",
    "goals.operations",
    "goals.participation",
    "projects",
]

# A form refused by the CSRF check says "the session ended" in the user's language (goals/operations/views.py).
CSRF_FAILURE_VIEW = "goals.operations.views.failure"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that static files carry the policy and headers too.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "goals.operations.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # /<year>/… pages: their own URL configuration, read by LocaleMiddleware (goals/public/years.py).
    "goals.public.years.YearMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After sign-in is known, before anything reads the body: size cap, anonymous staff
    # POSTs, control characters (see goals/operations/middleware.py).
    "goals.operations.middleware.RequestGuardMiddleware",
    # request.user.is_verified(): signed in with a second factor (goals.accounts.two_factor).
    "django_otp.middleware.OTPMiddleware",
    # Staff and admin URLs only: ask for the second factor, and keep the session alive.
    "goals.accounts.two_factor.middleware.StaffSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
            ],
        },
    },
]

# PostgreSQL cancels a statement running longer than this (0: no limit); the backup tools
# and ANALYZE after bulk loads lift it for themselves.
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 30_000)
DATABASES = {
    "default": database_from_url(
        os.environ.get("DATABASE_URL", "sqlite:///db.sqlite3"),
        statement_timeout_ms=DATABASE_STATEMENT_TIMEOUT_MS,
    )
}

# Backups (goals.operations.backups): every archive is signed (HMAC-SHA256 over its manifest)
# with BACKUP_SIGNING_KEY, or a key derived from SECRET_KEY when that is unset; restore
# refuses an archive it cannot verify. BACKUP_ENCRYPTION_KEY (32 bytes, URL-safe base64)
# also encrypts the archive (AES-256-GCM): keep it apart from the backups.
BACKUP_SIGNING_KEY = env_secret("BACKUP_SIGNING_KEY", min_length=32)
BACKUP_ENCRYPTION_KEY = env_key("BACKUP_ENCRYPTION_KEY")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise sends "Access-Control-Allow-Origin: *" by default, beside our
# "Cross-Origin-Resource-Policy: same-origin": no other site reads our static files.
WHITENOISE_ALLOW_ALL_ORIGINS = False
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or env_bool("TESTING", False)
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workspace"
# None: signing out shows the staff "signed out" page rather than redirecting.
LOGOUT_REDIRECT_URL = None

# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one username
# from one address, that pair is refused for AXES_COOLOFF_MINUTES. Clear it early with
# `manage.py axes_reset_username <name>` (or axes_reset for everyone); see docs/admins.md.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout page (Chinese, 429) renders templates/registration/lockout.html.
AXES_LOCKOUT_CALLABLE = "goals.accounts.staff.lockout"
# The client address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT says how many reverse
# proxies stand in front (then the address they put in X-Forwarded-For); a header is never
# trusted otherwise, or anyone could dodge the lockout by sending one.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Not django-ipware (not installed, so axes ignored its settings and counted the proxy's
# address for everyone): goals.operations.proxies reads the hop the trusted proxies appended.
AXES_CLIENT_IP_CALLABLE = "goals.operations.proxies.client_address"

# Two-factor sign-in (goals.accounts.two_factor, django-otp): a TOTP code after the password for
# reviewers, admins and staff users (superusers and is_staff included), or for every
# account with OTP_REQUIRED_FOR_OFFICIALS. On by default when DEBUG is off. Wrong codes
# count toward the lockout above; each device also throttles (1, 2, 4, 8 … s after failures).
OTP_REQUIRED = env_bool("OTP_REQUIRED", not DEBUG)
OTP_REQUIRED_FOR_OFFICIALS = env_bool("OTP_REQUIRED_FOR_OFFICIALS", False)
OTP_TOTP_ISSUER = "常州经开区工作目标"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Staff sessions end after this many idle minutes: every staff or admin request saves the
# session, which moves its expiry; public pages never touch it (they set no cookie).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60

# A target with no approved report for this many days is shown as stale.
STALE_AFTER_DAYS = env_int("STALE_AFTER_DAYS", 45, minimum=1)
# How far (in percentage points) a target may trail the linear pace and still be on track.
PACE_TOLERANCE_POINTS = env_int("PACE_TOLERANCE_POINTS", 10)
# Lights (亮灯, goals.rules.progress.light): yellow more than LIGHT_YELLOW_POINTS behind the pace,
# red more than LIGHT_RED_POINTS behind; no report yet turns from grey to red this many days
# after the first reporting deadline.
LIGHT_YELLOW_POINTS = env_int("LIGHT_YELLOW_POINTS", 10)
LIGHT_RED_POINTS = env_int("LIGHT_RED_POINTS", 30)
LIGHT_GRACE_DAYS = env_int("LIGHT_GRACE_DAYS", 15)
if LIGHT_RED_POINTS < LIGHT_YELLOW_POINTS:
    raise ImproperlyConfigured("LIGHT_RED_POINTS must be at least LIGHT_YELLOW_POINTS")
# Plausibility (goals.rules.plausibility): a cumulative value above the target times this factor
# must be confirmed with a note.
PLAUSIBLE_OVERSHOOT_FACTOR = env_int("PLAUSIBLE_OVERSHOOT_FACTOR", 2, minimum=1)

# The cache: rendered public pages (keyed by published-data version, language and URL).
# REDIS_URL (redis://host:6379/0) shares it between app servers; without it each process
# keeps its own in memory, which is still correct (pages are keyed by a version read from
# the database), only colder.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://; got {REDIS_URL!r}")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "goals"}
}
# Public pages: seconds a browser or proxy may reuse a page before revalidating (ETag → 304).
# 0 (the default): revalidate on every visit, so an approval shows on the next page load.
PUBLIC_MAX_AGE = env_int("PUBLIC_MAX_AGE", 0)
# The plan year the public pages show; 0 = the latest real plan (synthetic years ≥ 9000 never).
PUBLIC_PLAN_YEAR = env_int("PUBLIC_PLAN_YEAR", 0)
# Old public URLs without a year (/targets/P1.3/) redirect to the latest plan's (/2024/targets/P1.3/).
PUBLIC_YEAR_REDIRECT = env_bool("PUBLIC_YEAR_REDIRECT", True)
# Seconds a process may reuse the published-data version (kept in the cache) before
# reading it from the database again. An approval or admin edit replaces it at once in
# the process that made it, and everywhere when the cache is shared (REDIS_URL); other
# processes see it within this time (browsers may already reuse a page for
# PUBLIC_MAX_AGE). 0 reads it on every public request: the default under TESTING.
PUBLIC_VERSION_SECONDS = env_int("PUBLIC_VERSION_SECONDS", 0 if env_bool("TESTING", False) else 2)

# --- HTTPS, headers and the content security policy ---------------------------------------
# On by default whenever DEBUG is off; each can be switched off for a plain-HTTP intranet.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Health probes reach the app servers directly, over plain HTTP on the local network.
SECURE_REDIRECT_EXEMPT = [r"^(en/)?(healthz|readyz)$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if TRUSTED_PROXY_COUNT:
    # The proxy terminates TLS and says so; trusted only when a proxy is declared.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Absolute links (Atom feed, evidence links in exports) use this origin when set,
# e.g. https://goals.example.gov.cn; otherwise the (allowed) host the request came to.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/")
if SITE_URL and not (
    urlsplit(SITE_URL).scheme in ("http", "https")
    and urlsplit(SITE_URL).netloc
    and not urlsplit(SITE_URL).path
    and not urlsplit(SITE_URL).query
):
    raise ImproperlyConfigured(
        f"SITE_URL must be an origin such as https://goals.example.org; got {SITE_URL!r}"
    )

# Strict policy for every response: scripts and styles from our own static files only,
# nothing inline, no eval (htmx is configured for it in templates/base.html).
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "manifest-src": [CSP.SELF],
}

# --- request size ----------------------------------------------------------------------------
# Evidence: the largest accepted upload, in bytes, and how many files one report may carry.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
EVIDENCE_MAX_FILES = 5
# Form fields (everything but files) held in memory: 1 MiB is far above any form here.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024, minimum=1024)
# Form fields in one request: the table of a plan read from its text (从文本新建计划) sends
# 11 per proposal, up to 400 proposals (the 2024 plan has 112; Django's default is 1,000).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Uploads up to this size stay in memory; larger ones spill to a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024, minimum=1024)
# A whole request larger than this is refused (413) before its body is read: the most a
# report form can legitimately carry, every file at its limit, plus the form fields.
REQUEST_MAX_BYTES = env_int(
    "REQUEST_MAX_BYTES",
    EVIDENCE_MAX_FILES * EVIDENCE_MAX_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE,
    minimum=1024,
)

# --- workbooks (goals.workbooks) -------------------------------------------------------------
# An uploaded .xlsx: its size on the wire, and (checked before it is opened, against zip
# bombs) the total uncompressed size and the number of members of the zip it is.
WORKBOOK_MAX_BYTES = env_int("WORKBOOK_MAX_BYTES", 2 * 1024 * 1024, minimum=1024)
WORKBOOK_MAX_UNCOMPRESSED_BYTES = env_int("WORKBOOK_MAX_UNCOMPRESSED_BYTES", 30 * 1024 * 1024, minimum=1024)
WORKBOOK_MAX_MEMBERS = env_int("WORKBOOK_MAX_MEMBERS", 200, minimum=10)

# --- email and reminders (goals.reminders.services) ----------------------------------------------------
# Read from EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS into
# Django 6.1's MAILERS (its EMAIL_* settings are deprecated). SMTP whenever EMAIL_HOST is set;
# without it the console under DEBUG (a new developer sees reminders in the terminal), else
# SMTP on localhost:25.
_email_host = os.environ.get("EMAIL_HOST", "").strip()
if _email_host or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host or "localhost",
                "port": env_int("EMAIL_PORT", 25, minimum=1),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": env_int("EMAIL_TIMEOUT", 30, minimum=1),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "常州经开区工作目标 <noreply@localhost>")
# Reminders: this many days before a reporting deadline; reviewers once reports have waited
# this many days; the weekly digest to admins on this weekday (0 = Monday).
REMINDER_DAYS_BEFORE = env_int("REMINDER_DAYS_BEFORE", 3)
REVIEW_REMINDER_AFTER_DAYS = env_int("REVIEW_REMINDER_AFTER_DAYS", 3, minimum=1)
# The sign-off chain: a department head holding a report to confirm more than this many
# working days (Monday to Friday) is reminded, by email and on the department's channels.
SIGNOFF_REMINDER_DAYS = env_int("SIGNOFF_REMINDER_DAYS", 2, minimum=1)
DIGEST_WEEKDAY = env_int("DIGEST_WEEKDAY", 0)
if DIGEST_WEEKDAY > 6:
    raise ImproperlyConfigured(f"DIGEST_WEEKDAY must be 0 (Monday) to 6 (Sunday); got {DIGEST_WEEKDAY}")
# Notification channels (goals.channels: WeCom / DingTalk robots, webhooks): the seconds
# before each retry of a message that failed; after the last, it is recorded as failed.
CHANNEL_RETRY_DELAYS = tuple(env_list("CHANNEL_RETRY_DELAYS", ["60", "300", "1800"]))
if not all(delay.isdigit() for delay in CHANNEL_RETRY_DELAYS):
    raise ImproperlyConfigured(
        f"CHANNEL_RETRY_DELAYS must be whole numbers of seconds, comma-separated; got {','.join(CHANNEL_RETRY_DELAYS)!r}"
    )
CHANNEL_RETRY_DELAYS = tuple(int(delay) for delay in CHANNEL_RETRY_DELAYS)
# The briefing as a Word document: the issuing office (红头) and its document number's prefix.
BRIEFING_ISSUER = os.environ.get("BRIEFING_ISSUER", "").strip()
BRIEFING_NUMBER_PREFIX = os.environ.get("BRIEFING_NUMBER_PREFIX", "").strip() or "经开督"
# Residents (goals.participation): a confirmed question is due for an answer this many
# working days later; a question's email address is deleted this many days after the answer
# (or after a reviewer hid it). Follow and question forms: at most this many submissions an
# hour per email address and per client address (the cache counts them).
QUESTION_ANSWER_DAYS = env_int("QUESTION_ANSWER_DAYS", 5, minimum=1)
QUESTION_EMAIL_KEEP_DAYS = env_int("QUESTION_EMAIL_KEEP_DAYS", 30, minimum=1)
# A department corrects a published answer: the resident is emailed about the first
# correction only (later ones show on the page as 修改于 <date>); 0 never emails them.
QUESTION_EMAIL_ON_REVISION = env_bool("QUESTION_EMAIL_ON_REVISION", True)
PARTICIPATION_LIMIT_PER_ADDRESS = env_int("PARTICIPATION_LIMIT_PER_ADDRESS", 5, minimum=1)
PARTICIPATION_LIMIT_PER_IP = env_int("PARTICIPATION_LIMIT_PER_IP", 20, minimum=1)
# Background jobs (django.tasks) are stored in the database and run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Django's default config gives "django" its own console handler (under DEBUG) and lets
    # it propagate to the root one too, printing every line twice: drop it, keep the root's.
    "loggers": {"django": {"handlers": [], "level": os.environ.get("LOG_LEVEL", "WARNING")}},
}
