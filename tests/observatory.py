"""Score a response's security headers the way Mozilla's HTTP Observatory does.

The Observatory starts from 100, subtracts a penalty per failed test and, when the result
is at least 90, adds the bonuses; 100 or more is A+. The tests and their points below are
the Observatory's own (MDN HTTP Observatory scoring, 2024), for the headers a single
response can show. Each returns (test name, result name, points).
"""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

PRIVATE_REFERRERS = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
SIX_MONTHS = 15_768_000


def _directives(policy: str) -> dict[str, list[str]]:
    result = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            result.setdefault(words[0].lower(), [w.lower() for w in words[1:]])
    return result


def csp(headers) -> tuple[str, int]:
    policy = headers.get("Content-Security-Policy")
    if not policy:
        return "csp-not-implemented", -25
    d = _directives(policy)
    default = d.get("default-src")
    scripts = d.get("script-src", default)
    styles = d.get("style-src", default)
    if scripts is None:
        return "csp-implemented-with-unsafe-inline", -20
    if "'unsafe-inline'" in scripts or "data:" in scripts or "http:" in scripts or "*" in scripts:
        return "csp-implemented-with-unsafe-inline", -20
    if "'unsafe-eval'" in scripts:
        return "csp-implemented-with-unsafe-eval", -10
    if "object-src" not in d and default not in (["'none'"],):
        return "csp-implemented-but-object-src-not-restricted", -20
    if styles is not None and "'unsafe-inline'" in styles:
        return "csp-implemented-with-unsafe-inline-in-style-src-only", 0
    if default == ["'none'"]:
        return "csp-implemented-with-no-unsafe-default-src-none", 10
    return "csp-implemented-with-no-unsafe", 0


def cookies(set_cookie_headers: list[str], secure_site: bool = True) -> tuple[str, int]:
    if not set_cookie_headers:
        return "cookies-not-found", 0
    all_samesite = True
    for header in set_cookie_headers:
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            # The Observatory treats cookies named like a session (sessionid, PHPSESSID) as such.
            session = "sess" in name.lower()
            if not morsel["secure"]:
                return "cookies-without-secure-flag", -20 if not session else -40
            if session and not morsel["httponly"]:
                return "cookies-session-without-httponly-flag", -30
            if not morsel["samesite"]:
                all_samesite = False
    if all_samesite:
        return "cookies-secure-with-httponly-sessions-and-samesite", 5
    return "cookies-secure-with-httponly-sessions", 0


def cors(headers) -> tuple[str, int]:
    origin = headers.get("Access-Control-Allow-Origin")
    if origin is None:
        return "cross-origin-resource-sharing-not-implemented", 0
    if origin == "*":
        return "cross-origin-resource-sharing-implemented-with-public-access", 0
    return "cross-origin-resource-sharing-implemented-with-restricted-access", 0


def referrer(headers) -> tuple[str, int]:
    value = headers.get("Referrer-Policy")
    if value is None:
        return "referrer-policy-not-implemented", 0
    policies = {p.strip().lower() for p in value.split(",")}
    if policies & {"unsafe-url", "origin", "origin-when-cross-origin", "no-referrer-when-downgrade"}:
        return "referrer-policy-unsafe", -5
    if policies <= PRIVATE_REFERRERS:
        return "referrer-policy-private", 5
    return "referrer-policy-header-invalid", -5


def hsts(headers) -> tuple[str, int]:
    value = headers.get("Strict-Transport-Security")
    if value is None:
        return "hsts-not-implemented", -20
    match = re.search(r"max-age=(\d+)", value)
    if not match:
        return "hsts-header-invalid", -20
    if int(match.group(1)) < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months", -10
    # The +5 for a preloaded site needs the host in the browsers' preload list: not claimed.
    return "hsts-implemented-max-age-at-least-six-months", 0


def nosniff(headers) -> tuple[str, int]:
    if (headers.get("X-Content-Type-Options") or "").lower() == "nosniff":
        return "x-content-type-options-nosniff", 0
    return "x-content-type-options-not-implemented", -5


def framing(headers) -> tuple[str, int]:
    policy = _directives(headers.get("Content-Security-Policy") or "")
    if policy.get("frame-ancestors") in (["'none'"], ["'self'"]):
        return "x-frame-options-implemented-via-csp", 5
    if (headers.get("X-Frame-Options") or "").upper() in ("DENY", "SAMEORIGIN"):
        return "x-frame-options-sameorigin-or-deny", 0
    return "x-frame-options-not-implemented", -20


def corp(headers) -> tuple[str, int]:
    value = (headers.get("Cross-Origin-Resource-Policy") or "").lower()
    if not value:
        return "corp-not-implemented", 0
    if value in ("same-origin", "same-site"):
        return f"corp-implemented-with-{value}", 0
    if value == "cross-origin":
        return "corp-implemented-with-cross-origin", 0
    return "corp-header-invalid", -5


def redirection(http_response) -> tuple[str, int]:
    """The answer to the same URL over plain HTTP."""
    location = http_response.headers.get("Location", "")
    if http_response.status_code in (301, 302, 307, 308) and location.startswith("https://"):
        return "redirection-to-https", 0
    return "redirection-missing", -20


def score(response, http_response) -> tuple[int, list[tuple[str, str, int]]]:
    headers = response.headers
    set_cookies = [morsel.OutputString() for morsel in response.cookies.values()]
    results = [
        ("content-security-policy", *csp(headers)),
        ("cookies", *cookies(set_cookies)),
        ("cross-origin-resource-sharing", *cors(headers)),
        ("redirection", *redirection(http_response)),
        ("referrer-policy", *referrer(headers)),
        ("strict-transport-security", *hsts(headers)),
        ("x-content-type-options", *nosniff(headers)),
        ("x-frame-options", *framing(headers)),
        ("cross-origin-resource-policy", *corp(headers)),
    ]
    total = 100 + sum(points for *_, points in results if points < 0)
    if total >= 90:
        total += sum(points for *_, points in results if points > 0)
    return total, results
