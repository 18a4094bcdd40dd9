"""Strict readers of environment variables for config/settings.py: a value that cannot be
read stops start-up with an ImproperlyConfigured message naming the variable."""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} must list at least one value, comma-separated")
    return items


def env_secret(name: str, *, min_length: int) -> str:
    """A secret that may be left unset (""), but when set is long enough to be one."""
    raw = os.environ.get(name, "").strip()
    if raw and len(raw) < min_length:
        raise ImproperlyConfigured(f"{name} must be at least {min_length} characters long; got {len(raw)}")
    return raw


def env_key(name: str, *, size: int = 32) -> bytes | None:
    """A key of `size` random bytes written in URL-safe base64, or None when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        key = base64.urlsafe_b64decode(raw.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        key = b""
    if len(key) != size:
        raise ImproperlyConfigured(
            f"{name} must be {size} random bytes in URL-safe base64; make one with: "
            'python3 -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'
        )
    return key


def database_from_url(url: str, *, statement_timeout_ms: int = 0) -> dict:
    """Turn DATABASE_URL into a Django DATABASES entry.

    sqlite:///relative/path, sqlite:////absolute/path, or
    postgres://user:password@host:port/name?sslmode=… (host may be a socket directory,
    given as ?host=/path). PostgreSQL uses psycopg 3 with persistent connections, and
    stops any statement after `statement_timeout_ms` (0: never), so that one query
    planned badly cannot hold a worker and a connection for half an hour.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path)
        if path.startswith("/") and not path.startswith("//") or path.startswith("//"):
            path = path[1:]
        if not path:
            raise ImproperlyConfigured("DATABASE_URL: a sqlite URL needs a file path")
        name = Path(path) if Path(path).is_absolute() else BASE_DIR / path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    if parts.scheme in ("postgres", "postgresql"):
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL: a postgres URL needs a database name")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured("DATABASE_URL: the port is not a number") from None
        host = query.pop("host", None) or unquote(parts.hostname or "")
        if statement_timeout_ms:
            timeout = f"-c statement_timeout={statement_timeout_ms}"
            query["options"] = f"{query['options']} {timeout}" if query.get("options") else timeout
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": host,
            "PORT": str(port or ""),
            "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": query,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL must start with sqlite:// or postgres://; got {parts.scheme or url!r}"
    )
