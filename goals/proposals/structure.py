"""The plan's groups in a text: livelihood projects, actions, headings.

Three shapes are recognised:
- a heading with a marker — 一、… (一)… 一要…/一是… 项目一… 第一项… 1.… (1)… ①… — either
  alone on its line (its text follows in the next paragraphs, up to the next heading of the
  same rank or a title) or leading its paragraph (its text is that paragraph);
- names listed first (…项目,分别为:常有善育、常有优学、…), then a paragraph for each that
  starts with the name (常有善育,新增…);
- the rank that comes first in the text is the group; lower ranks are items inside it.
Paragraphs outside every group are not read for targets (their numbers are context).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from goals.proposals.numbers import quantities

CN = "一二三四五六七八九十"
# rank name → pattern of a paragraph's start (the marker)
MARKERS: list[tuple[str, re.Pattern]] = [
    ("cn_comma", re.compile(rf"^[{CN}]+、")),
    ("cn_paren", re.compile(rf"^\([{CN}]+\)")),
    ("project", re.compile(rf"^(?:项目|实事)[{CN}\d]+[:、.\s]?")),
    ("cn_ordinal", re.compile(rf"^第[{CN}\d]+[项件条个][:、.,\s]?")),
    ("cn_verb", re.compile(rf"^[{CN}]+(?:要|是)(?=[\u4e00-\u9fff“])")),
    ("arabic", re.compile(r"^\d{1,2}(?:[.、](?!\d)|\s)")),
    ("arabic_paren", re.compile(r"^\(\d{1,2}\)")),
    ("circled", re.compile(r"^[①-⑳]")),
    ("bracket", re.compile(rf"^[【\[](?:民生实事|实事|项目)?\s*[{CN}\d]+[】\]]\s*")),
    ("bullet", re.compile(r"^[▲△■□●○◆◇★☆▶►•·*-]\s*")),
]
# 一是…;二是…;三是… (or (一)…(二)…) running on inside one paragraph: split before each.
INLINE = re.compile(rf"(?<=[:;。])\s*(?=[{CN}]+是|\([{CN}]+\))")
ENUMERATION = re.compile(r"(?:分别为|分别是|包括|即)[:]?(?P<names>[^。:]{4,400}?)(?:。|$)")
TITLE = re.compile(r"^#")


@dataclass
class Group:
    name: str
    heading: str  # the heading or the first words as written
    text: str  # the text read for targets
    paragraphs: list[int] = field(default_factory=list)  # indexes of the paragraphs it covers


def marker(paragraph: str) -> tuple[str, str] | None:
    """(rank, marker text) of a paragraph that starts with a heading or list marker."""
    for rank, pattern in MARKERS:
        found = pattern.match(paragraph)
        if found:
            if rank == "bullet":  # each symbol is a rank of its own (▲ headings, ◆ items)
                rank = f"bullet{found.group(0).strip()}"
                number = re.match(r"\d{1,2}\s+", paragraph[found.end() :])
                return rank, found.group(0) + (number.group(0) if number else "")
            return rank, found.group(0)
    return None


def inline_items(paragraphs: list[str]) -> list[str]:
    """Paragraphs with items that run on (…民生实事:一是…;二是…;三是…) split at each item."""
    found: list[str] = []
    for paragraph in paragraphs:
        pieces = INLINE.split(paragraph)
        found.extend(pieces if len(pieces) >= 3 else [paragraph])
    return found


def strip_items(text: str) -> str:
    """The text without list markers ((1) ① inside a paragraph; 1. at its start)."""
    text = re.sub(r"\(\d{1,2}\)|[①-⑳]", "", text)
    text = re.sub(r"^\d{1,2}(?:[.、](?!\d)|\s)", "", text)
    return re.sub(r"^[▲△■□●○◆◇★☆▶►•·*-]\s*", "", text)


def _counts(text: str) -> bool:
    return any(q.is_target for q in quantities(text))


def _name_and_body(rest: str) -> tuple[str, str, bool]:
    """(name, body, the heading stands alone on its line) of a marked paragraph's text."""
    first = re.split(r"(?<=[。:;,])", rest, maxsplit=1)
    head = first[0].rstrip("。:;,").strip()
    tail = first[1].strip() if len(first) > 1 else ""
    quoted = re.findall(r"“([^”]{2,30})”", head)
    name = quoted[0] if quoted and len(head) <= 24 else head[:40]
    if not tail:
        if not _counts(head) and len(head) <= 24:
            return name, "", True
        return name, rest, False
    if first[0].endswith(("。", ":")) and not _counts(head):
        return name, tail, False  # the heading sentence names the group
    return name, rest, False


def _enumerated_names(paragraphs: list[str]) -> list[str]:
    names: list[str] = []
    for paragraph in paragraphs:
        if len(paragraph) > 600:
            continue
        for found in ENUMERATION.finditer(paragraph):
            listed = [n.strip(" “”") for n in re.split(r"[、;,]", found["names"])]
            listed = [n for n in listed if 2 <= len(n) <= 16]
            if len(listed) >= 3:
                names.extend(listed)
    return names


def find_groups(paragraphs: list[str]) -> list[Group]:
    """The groups of a text's paragraphs, in order."""
    ranks = [(i, marker(p)) for i, p in enumerate(paragraphs)]
    order = [m[0] for _i, m in ranks if m]
    top = order[0] if order else None
    named = _enumerated_names(paragraphs)
    groups: list[Group] = []
    current: Group | None = None  # a heading alone on its line, collecting the paragraphs after it
    items = False  # the paragraphs under `current` are a marked list
    for index, paragraph in enumerate(paragraphs):
        found = marker(paragraph)
        if TITLE.match(paragraph):
            current = None
            continue
        name = next(
            (n for n in named if paragraph.startswith(n) and paragraph[len(n) : len(n) + 1] in ",:"), None
        )
        if name:
            groups.append(Group(name, name, paragraph[len(name) + 1 :], [index]))
            current = None
            continue
        if found and found[0] == top:
            rest = paragraph[len(found[1]) :].strip()
            title, body, alone = _name_and_body(rest)
            group = Group(title, paragraph, body, [index])
            groups.append(group)
            current = group if alone else None
            items = False
            continue
        if current is not None and items and not found:
            current = None  # the list under the heading has ended
        if current is not None:
            items = items or bool(found)
            current.text += "\n" + strip_items(paragraph)
            current.paragraphs.append(index)
    for group in groups:
        group.text = strip_items(group.text)
    return [g for g in groups if g.text.strip() or g.name]
