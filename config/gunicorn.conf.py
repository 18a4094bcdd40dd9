"""gunicorn settings for production (scripts/serve; deploy/goals.service runs that).

Read from the environment:
  HOST, PORT          where to listen (default 127.0.0.1:8000: only the local nginx reaches it;
                      HOST=0.0.0.0 when nginx runs on another machine)
  WEB_CONCURRENCY     worker processes (default 2 × CPU cores + 1, at most 8)
  GUNICORN_TIMEOUT    seconds a request may take before its worker is restarted (default 30)
  TRUSTED_PROXY_COUNT above 0: trust X-Forwarded-Proto from FORWARDED_ALLOW_IPS (default
                      the loopback addresses, where nginx connects from), so that a request
                      that reached nginx over HTTPS counts as secure. 0: trust no header.
  LOG_LEVEL           gunicorn's own log level, as for Django (default WARNING)

The access log goes to stdout, errors to stderr (journald keeps both under systemd).
`kill -HUP <master pid>` (systemctl reload goals) starts new workers with the new code and
settings, then stops the old ones gracefully; nothing is preloaded in the master.
"""

import os


def _whole_number(name: str, default: int, minimum: int = 1) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < minimum:
        raise SystemExit(
            f"Configuration error: {name} must be a whole number, at least {minimum}; got {raw!r}"
        )
    return int(raw)


_host = os.environ.get("HOST", "").strip() or "127.0.0.1"
_port = _whole_number("PORT", 8000)
bind = [f"[{_host}]:{_port}" if ":" in _host else f"{_host}:{_port}"]

workers = _whole_number("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 8))
timeout = _whole_number("GUNICORN_TIMEOUT", 30)
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
preload_app = False  # HUP reloads the code, too

_proxies = _whole_number("TRUSTED_PROXY_COUNT", 0, minimum=0)
forwarded_allow_ips = (os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1,::1") if _proxies else ""
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "WARNING").strip().lower() or "warning"
# The client's address as the proxy saw it ({x-forwarded-for}i) next to the proxy's (h).
access_log_format = '%({x-forwarded-for}i)s via %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "goals"
