"""Pure rules for what residents write (no database, no HTTP): personal numbers masked,
links refused, and answer deadlines counted in working days."""

from __future__ import annotations

import datetime
import re

# A mainland ID number (18 characters, the last may be X), and a mainland mobile number
# (1[3-9] and nine digits, spaces or hyphens allowed between the groups 3-4-4). Neither may
# sit inside a longer run of digits.
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
# Links of any kind: a scheme, "www.", or a domain ending people type.
LINK = re.compile(
    r"(?:[a-z][a-z0-9+.-]*://|\bwww\.|[a-z0-9-]\.(?:com|cn|net|org|top|xyz|info|io|cc|me|vip|shop|site|online|link)\b)",
    re.IGNORECASE,
)


def mask(text: str) -> str:
    """ID numbers become 18 asterisks; mobile numbers keep their first 3 and last 4 digits."""
    text = ID_NUMBER.sub("*" * 18, text)
    return MOBILE.sub(lambda m: f"{m[1]}****{m[3]}", text)


def has_link(text: str) -> bool:
    return bool(LINK.search(text))


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """`days` working days (Monday to Friday) after `start`."""
    day = start
    left = days
    while left > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day
