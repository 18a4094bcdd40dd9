"""Cell values as text, the way both workbooks read them back."""

from __future__ import annotations

import datetime
from decimal import Decimal

from goals.rules.formatting import plain


def cell_text(value) -> str:
    """A cell's value as the text a form field would get: numbers without float noise
    (0.1, not 0.1000000000000000055), dates as ISO, the rest stripped."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return plain(Decimal(repr(value)))
    if isinstance(value, int | Decimal):
        return plain(Decimal(value))
    return str(value).strip()
