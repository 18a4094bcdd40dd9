"""Signed tokens in the links residents get by email (django.core.signing, keyed by
SECRET_KEY): no account, no password, and nothing guessable in a URL."""

from __future__ import annotations

import datetime

from django.core import signing

# A confirmation link works for a week; unsubscribing, the list of what one follows and
# deleting what one submitted work for as long as the email is kept.
CONFIRM_MAX_AGE = datetime.timedelta(days=7)
PURPOSES = {"follow-confirm", "question-confirm", "unsubscribe", "manage", "question-delete"}


def make(purpose: str, value: int | str) -> str:
    assert purpose in PURPOSES
    return signing.dumps(value, salt=f"goals.participation.{purpose}")


def read(purpose: str, token: str, max_age: datetime.timedelta | None = None):
    """The signed value, or None for a token that is forged, altered, for another purpose or expired."""
    assert purpose in PURPOSES
    try:
        return signing.loads(token, salt=f"goals.participation.{purpose}", max_age=max_age)
    except signing.BadSignature:
        return None
