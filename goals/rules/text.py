"""Text from users and URLs: ids and years as ASCII digits of a bounded length, and no
control characters in text fields (tabs and line breaks excepted)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# C0 controls and DEL, but for tab, line feed and carriage return (text areas send those).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The name a file part gets when its own name is empty of anything usable; forms refuse it.
UNUSABLE_FILE_NAME = "\ufffd"
STRICT_ID = re.compile(r"[0-9]{1,18}")
STRICT_YEAR = re.compile(r"[0-9]{4}")
# A number typed into a form or a cell: ASCII digits, an optional sign and fraction. Not
# "²⁰²⁵" (str.isdigit() says digits, int() fails), not "٢٠٢٥", "1e9", "NaN" or "Infinity".
STRICT_NUMBER = re.compile(r"[-+]?[0-9]{1,18}(\.[0-9]{1,18})?")


def parse_id(raw: str) -> int | None:
    """An object id from a form or URL: ASCII digits only (not '²' or '١'), at most 18."""
    return int(raw) if STRICT_ID.fullmatch(raw) else None


def parse_year(raw: str) -> int | None:
    """A year from a form, a file or a URL: exactly four ASCII digits."""
    return int(raw) if STRICT_YEAR.fullmatch(raw) else None


def is_plain_number(raw: str) -> bool:
    return STRICT_NUMBER.fullmatch(raw) is not None


class IdConverter:
    """A database id in a URL: 1 to 18 ASCII digits (fits a 64-bit integer)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class YearConverter(IdConverter):
    regex = "[0-9]{4}"


def has_control_chars(text: str) -> bool:
    return bool(CONTROL_CHARS.search(text))


def validate_text(value: str) -> None:
    """For text fields: tabs and line breaks are fine, other control characters are not."""
    if has_control_chars(value):
        raise ValidationError(_("内容中含有不可见的控制字符,请删除后重新提交(从其他文档粘贴时常会带入)。"))
