"""Normalising a published plan text before it is read.

Traditional characters become simplified (OpenCC, t2s), full-width digits, letters and
punctuation become their ASCII forms (１．→ 1., ，→ ,), and a sentence broken over a page or
column (the newspaper's page-break whitespace: a line that ends without punctuation and
goes on after blank lines) is joined again.
"""

from __future__ import annotations

import re
from functools import lru_cache

FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
FULL_WIDTH[0x3000] = 0x20  # ideographic space
# Characters that end a paragraph: a line ending otherwise was broken by the layout.
ENDINGS = "。;!?:…”\"'』」)】"
# Paragraph starts that begin something new (never the rest of a broken sentence).
HEADING_START = re.compile(
    r"^(#|[(\[]?[一二三四五六七八九十]+[)\]、.]|[一二三四五六七八九十]+[要是为]|项目[一二三四五六七八九十\d]+|"
    r"第[一二三四五六七八九十\d]+[项条部分]|\d{1,2}[.、)]|[(]\d{1,2}[)]|[①-⑳]|[-*•] |[▲△■□●○◆◇★☆▶►•·]|[【\[](?:民生实事|实事|项目)?\s*[一二三四五六七八九十\d]+[】\]])"
)
TABLE_HEADER = re.compile(r"^\s*序号\s*([,\t，])")
DEPARTMENT = re.compile(r"(单位|部门|责任|牵头|时限|时间|备注|序号)")
# Characters only found in traditional text (a quick test before running OpenCC).
TRADITIONAL_HINTS = set(
    "這個們來對時會為們國說學發經動後實與現進業過與區鎮園縣務標樂養護於萬億億項點醫療場農戶車廠"
)


@lru_cache(maxsize=1)
def _converter():
    from opencc_purepy import OpenCC

    return OpenCC("t2s")


def is_traditional(text: str) -> bool:
    return sum(1 for ch in text if ch in TRADITIONAL_HINTS) >= 3


def simplified(text: str) -> str:
    """The text in simplified characters (unchanged when it has no traditional ones)."""
    if not is_traditional(text):
        return text
    return _converter().convert(text)


def half_width(text: str) -> str:
    return text.translate(FULL_WIDTH)


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs, with sentences broken over page breaks joined again."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines()]
    found: list[str] = []
    open_ = False  # the last paragraph ended mid-sentence
    for line in lines:
        if not line:
            continue
        if open_ and found and not HEADING_START.match(line):
            found[-1] += line
        else:
            found.append(line)
        last = found[-1]
        unbalanced = last.count("“") > last.count("”") or last.count("(") > last.count(")")
        open_ = not last.endswith(tuple(ENDINGS)) and not last.startswith("#")
        # A title, a caption or a heading is short and has no commas: it stands alone.
        words = HEADING_START.sub("", last)
        open_ = open_ and (unbalanced or len(last) > 24 or bool(re.search(r"[,;、]", words)))
    return found


def tables(text: str) -> str:
    """Rows of a table (序号,项目名称,建设内容,责任单位 — from a .docx or a pasted sheet) as
    numbered paragraphs: 「1.项目名称。建设内容。」; the columns of departments and dates are
    left out. Cells are told apart by the header's separator before any other comma is
    normalised, so a comma inside a cell stays in its cell."""
    lines = text.split("\n")
    header: list[str] | None = None
    separator = ","
    for index, line in enumerate(lines):
        found = TABLE_HEADER.match(line)
        if found:
            separator = found.group(1)
            header = [cell.strip() for cell in line.split(separator)]
            continue
        if header is None:
            continue
        cells = [cell.strip() for cell in line.split(separator)]
        if not re.match(r"^\d{1,3}$", cells[0] if cells else "") or len(cells) < 3:
            if line.strip():
                header = None
            continue
        tail = [name for name in header[2:] if DEPARTMENT.search(name)]
        keep = len(cells) - len(tail) if tail and len(cells) - len(tail) >= 3 else len(cells)
        content = "，".join(cells[2:keep]).rstrip("。")
        lines[index] = f"{cells[0]}.{cells[1]}。{content}。"
    return "\n".join(lines)


def normalise(text: str) -> str:
    """Simplified characters, ASCII digits and punctuation, control characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or ch >= " ")
    return half_width(tables(simplified(text)))
