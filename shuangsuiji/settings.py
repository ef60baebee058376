"""One settings file driven by the environment (healthchecks style).

SQLite is the default so `make run` works on a fresh machine; DATABASE_URL=postgres://user@host:port/db
switches to PostgreSQL, the production engine.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default).lower() in ("1", "true", "yes", "on")


def database_from_url(url: str) -> dict:
    # Ten lines do not justify a dependency (dj-database-url): we accept only the two engines we test.
    parsed = urlparse(url)
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "shuangsuiji",
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": int(os.environ.get("DB_CONN_MAX_AGE", "60")),
            # JIT compiling cost 0.2–0.7 s per statistics query at 1 M results and saved nothing (ADR 0022).
            "OPTIONS": {"options": "-c jit=off"},
            "TEST": {"NAME": os.environ.get("DB_TEST_NAME", "test_shuangsuiji")},
        }
    if parsed.scheme == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": parsed.path or BASE_DIR / "db.sqlite3",
            **SQLITE,
        }
    raise ValueError(f"不支持的 DATABASE_URL：{parsed.scheme}（仅支持 postgres:// 与 sqlite://）")


# The embedded database under concurrent POSTs: writers take the lock when their transaction begins (no "database
# is locked" when two readers both try to upgrade) and wait up to 20 s for it; WAL lets readers go on meanwhile.
SQLITE = {
    "OPTIONS": {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
}

DEBUG = envbool("DEBUG", "True")
# Demo mode (demo accounts, development keys) follows DEBUG unless set: a production start (DEBUG=false) that
# forgets DEMO_MODE is not a demo and gets no development key (issue 11).
DEMO_MODE = envbool("DEMO_MODE", str(DEBUG))
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("生产环境必须设置 SECRET_KEY 环境变量")
ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "shuangsuiji.org",
    "shuangsuiji.accounts",
    "shuangsuiji.audit",
    "shuangsuiji.directory",
    "shuangsuiji.planning",
    "shuangsuiji.draws",
    "shuangsuiji.caps",
    "shuangsuiji.inspections",
    "shuangsuiji.stats",
    "shuangsuiji.web",
    "shuangsuiji.api",
    "shuangsuiji.idempotency",
    "shuangsuiji.ops",
    "shuangsuiji.outbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "shuangsuiji.web.nul.RefuseNulMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shuangsuiji.audit.middleware.RequestContextMiddleware",
    "shuangsuiji.accounts.security.SessionSecurityMiddleware",
    "shuangsuiji.idempotency.middleware.IdempotencyMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Lock an account for 30 minutes after 5 failures (by username, so an attacker cannot lock out a whole office IP).
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
# We lock the account (username), as 等保 asks; axes' hint about IP-based limits concerns anonymous flooding, which
# the reverse proxy rate-limits in production.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

ROOT_URLCONF = "shuangsuiji.urls"
WSGI_APPLICATION = "shuangsuiji.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shuangsuiji.web.context.platform",
                "shuangsuiji.idempotency.context.idempotency_key",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(os.environ["DATABASE_URL"])
    if os.environ.get("DATABASE_URL")
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        **SQLITE,
    }
}

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "shuangsuiji.accounts.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "shuangsuiji.accounts.passwords.UsernameValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "shuangsuiji.accounts.passwords.CharacterClassesValidator"},
    {"NAME": "shuangsuiji.accounts.passwords.HistoryValidator"},
]
PASSWORD_MIN_CLASSES = 3
PASSWORD_HISTORY = 5
PASSWORD_MAX_AGE_DAYS = int(os.environ.get("PASSWORD_MAX_AGE_DAYS", "90"))
REQUIRE_ADMIN_TOTP = envbool("REQUIRE_ADMIN_TOTP", "True")
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
SESSION_IDLE_TIMEOUT = (
    30 * 60
)  # seconds without a request before the session ends (SessionSecurityMiddleware)
SESSION_COOKIE_AGE = 12 * 60 * 60  # absolute cap of one working day
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# Production (DEBUG off) is HTTPS only; each switch can be turned off from the environment, e.g. SECURE_SSL_REDIRECT=false
# when the reverse proxy already redirects. Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=true so
# Django trusts its X-Forwarded-Proto header (the proxy must overwrite, never pass through, that header).
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", str(not DEBUG))
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", str(not DEBUG))
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", str(not DEBUG))
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", str(not DEBUG))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "shuangsuiji.web.errors.csrf_failure"
if envbool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The public result search is anonymous and read-heavy: answers are cached this long (0 turns the cache off). The
# default cache is per process; CACHES can point to a shared one.
PUBLIC_SEARCH_CACHE_SECONDS = int(os.environ.get("PUBLIC_SEARCH_CACHE_SECONDS", "60"))
# The portal's statistics page (ADR 0015); 0 computes every request (bench/bench_stats.py measures it so).
PUBLIC_STATS_CACHE_SECONDS = int(os.environ.get("PUBLIC_STATS_CACHE_SECONDS", "600"))
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "5000"))},
    }
}
# 核验码 (issue 14, part 2). The portal's address as firms reach it, printed in the QR codes of the 登记表 (which is
# printed on the intranet): e.g. https://ssj.example.gov.cn; empty = the address the page was requested at.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
# Lookups of /portal/verify/… per client address and window; beyond it the portal answers 429. The count lives in
# the cache above: with the per-process default each gunicorn worker counts on its own.
VERIFY_RATE_LIMIT = int(os.environ.get("VERIFY_RATE_LIMIT", "20"))
VERIFY_RATE_WINDOW_SECONDS = int(os.environ.get("VERIFY_RATE_WINDOW_SECONDS", "600"))
# Per-token budgets of /api/v1 (ADR 0026), requests per minute; a token can carry its own (security page). Bulk reads
# (/api/v1/bulk/) have their own budget: each answer can be a thousand rows.
API_RATE_PER_MINUTE = int(os.environ.get("API_RATE_PER_MINUTE", "600"))
API_BULK_RATE_PER_MINUTE = int(os.environ.get("API_BULK_RATE_PER_MINUTE", "60"))
# Behind a reverse proxy every request comes from the proxy: name the header it sets to the client's address
# (e.g. X-Real-IP, which the proxy must overwrite, never pass through); empty = REMOTE_ADDR.
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
MAX_IMPORT_UPLOAD_BYTES = int(os.environ.get("MAX_IMPORT_UPLOAD_BYTES", str(50 * 1024 * 1024)))

# The provincial platform (issue 13): public facts go out through the outbox (`deliver_outbox`, ADR 0020).
# PROVINCE_CONNECTOR: "http" (POST to PROVINCE_ENDPOINT, signed HMAC-SM3 with PROVINCE_KEY), "files" (a daily batch
# in OUTBOX_FILES_DIR for a person to upload, ADR 0025) or empty (not sent yet).
PROVINCE_CONNECTOR = os.environ.get("PROVINCE_CONNECTOR", "")
PROVINCE_ENDPOINT = os.environ.get("PROVINCE_ENDPOINT", "")
PROVINCE_KEY = os.environ.get("PROVINCE_KEY", "")
PROVINCE_CONNECT_TIMEOUT = float(os.environ.get("PROVINCE_CONNECT_TIMEOUT", "5"))
PROVINCE_READ_TIMEOUT = float(os.environ.get("PROVINCE_READ_TIMEOUT", "15"))
# Mutual TLS (docs/deploy.md): the client certificate the province issued (PEM; its key in PROVINCE_CLIENT_KEY or in
# the same file) and, if the province's server certificate is not from a public CA, the CA to trust instead.
PROVINCE_CLIENT_CERT = os.environ.get("PROVINCE_CLIENT_CERT", "")
PROVINCE_CLIENT_KEY = os.environ.get("PROVINCE_CLIENT_KEY", "")
PROVINCE_CA_FILE = os.environ.get("PROVINCE_CA_FILE", "")
# A failed delivery is retried after base, 2·base, 4·base … seconds, never more than the cap apart.
OUTBOX_RETRY_BASE_SECONDS = float(os.environ.get("OUTBOX_RETRY_BASE_SECONDS", "60"))
OUTBOX_RETRY_MAX_SECONDS = float(os.environ.get("OUTBOX_RETRY_MAX_SECONDS", "3600"))
# SQLite has no SKIP LOCKED: one delivery process at a time, by this lock file.
# The files connector's batches (default: MEDIA_ROOT/outbox, so `manage.py backup` keeps them).
OUTBOX_FILES_DIR = os.environ.get("OUTBOX_FILES_DIR", "")
OUTBOX_LOCK_FILE = os.environ.get("OUTBOX_LOCK_FILE", str(BASE_DIR / "var" / "deliver_outbox.lock"))
# Statistics (ADR 0022): "auto" reads the summary tables once `manage.py refresh_stats` has run and computes live
# before; "live" always computes from the records (small installations); "summary" always reads the tables.
STATS_SOURCE = os.environ.get("STATS_SOURCE", "auto")
if STATS_SOURCE not in ("auto", "live", "summary"):
    raise ImproperlyConfigured("STATS_SOURCE 应为 auto、live 或 summary")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shuangsuiji@localhost")

# The city this installation serves; region code prefix of its USCCs (舞钢 = 410481).
PLATFORM_NAME = os.environ.get("PLATFORM_NAME", "舞钢市“双随机、一公开”联合监管平台")
CITY_NAME = os.environ.get("CITY_NAME", "舞钢市")
# The user manual shown at /help/: empty = the repository's docs/用户手册.md, else the installed package's copy
# (shuangsuiji/web/help.py, ADR 0019).
USER_MANUAL_PATH = os.environ.get("USER_MANUAL_PATH", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
