"""Posting one Markdown message to one channel, in the form each kind expects.

- WeCom (企业微信) group robot: ``{"msgtype": "markdown", "markdown": {"content": …}}``;
  it answers ``{"errcode": 0, …}`` when accepted.
- DingTalk (钉钉) group robot: ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``;
  with a secret (加签), the URL carries ``timestamp`` (milliseconds) and ``sign``: the base64
  of HMAC-SHA256(key=secret, "timestamp\\nsecret"), URL-encoded. It answers errcode 0 too.
- A generic webhook (an SMS gateway): ``{"title", "text", "department", "kind", "occasion"}``;
  with a secret, ``X-Signature: sha256=<hex HMAC-SHA256 of the body>``. Any 2xx is accepted.

Anything else (a refused connection, a timeout, an HTTP error, a non-zero errcode) raises
Failed with a message fit for the delivery log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote_plus, urlsplit

TIMEOUT_SECONDS = 10
# What each robot accepts in one message (WeCom: 4096 bytes of content; DingTalk: ~20000).
LIMITS = {"wecom": 4000, "dingtalk": 18000, "webhook": 60000}


class Failed(Exception):
    """The channel did not take the message."""


@dataclass
class Message:
    title: str
    text: str  # Markdown
    department: str = ""
    kind: str = ""
    occasion: str = ""


ELLIPSIS = "\n\n……"


def _clip(text: str, limit: int) -> str:
    """The text, cut (at a character boundary) to at most `limit` bytes of UTF-8, ellipsis included."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[: limit - len(ELLIPSIS.encode())].decode(errors="ignore") + ELLIPSIS


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The `sign` parameter of a signed DingTalk robot URL (already URL-encoded)."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def request_for(kind: str, url: str, secret: str, message: Message, *, now: float | None = None):
    """(url, body bytes, headers) of the POST for a channel of `kind`."""
    headers = {"Content-Type": "application/json; charset=utf-8"}
    text = _clip(message.text, LIMITS[kind])
    if kind == "wecom":
        body = {"msgtype": "markdown", "markdown": {"content": text}}
    elif kind == "dingtalk":
        body = {"msgtype": "markdown", "markdown": {"title": message.title, "text": text}}
        if secret:
            timestamp = int((time.time() if now is None else now) * 1000)
            joiner = "&" if urlsplit(url).query else "?"
            url = f"{url}{joiner}timestamp={timestamp}&sign={dingtalk_sign(secret, timestamp)}"
    else:
        body = {
            "title": message.title,
            "text": text,
            "department": message.department,
            "kind": message.kind,
            "occasion": message.occasion,
        }
    data = json.dumps(body, ensure_ascii=False).encode()
    if kind == "webhook" and secret:
        headers["X-Signature"] = "sha256=" + hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()
    return url, data, headers


def post(kind: str, url: str, secret: str, message: Message) -> None:
    """Send the message, or raise Failed saying why."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise Failed(f"not an http(s) URL: {url[:80]}")
    url, data, headers = request_for(kind, url, secret, message)
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310 (http(s) only, checked above)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            status, answer = response.status, response.read(10_000)
    except urllib.error.HTTPError as error:
        raise Failed(f"HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        raise Failed(f"{type(error).__name__}: {getattr(error, 'reason', error)}") from None
    if not 200 <= status < 300:
        raise Failed(f"HTTP {status}")
    if kind in ("wecom", "dingtalk"):
        try:
            errcode = json.loads(answer).get("errcode")
        except (ValueError, AttributeError):
            raise Failed(f"unexpected answer: {answer[:200]!r}") from None
        if errcode != 0:
            raise Failed(f"errcode {errcode}: {answer.decode(errors='replace')[:300]}")
