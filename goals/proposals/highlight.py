"""Where each proposal stands in the text: the text cut into pieces, marked or not.

The admin's preview shows the text as the parser read it (goals.proposals.text.normalise:
simplified characters, ASCII digits and punctuation, broken sentences joined) with every
proposal's wording marked in place. A wording is looked for after the one before it (the
proposals follow the text), then anywhere not yet marked, then by its number inside its
source clause; one found nowhere is left unmarked (`located` says which).
"""

from __future__ import annotations

from dataclasses import dataclass

from goals.proposals.text import normalise, paragraphs


@dataclass(frozen=True)
class Piece:
    text: str
    row: int | None = None  # the index of the proposal marked here, None for plain text
    anchor: bool = False  # the first piece of its proposal (where the table's link lands)


@dataclass(frozen=True)
class Wording:
    """What to look for: the proposal's own words, and the clause they came from."""

    wording: str
    source_clause: str = ""
    number: str = ""


def _free(spans: list[tuple[int, int, int]], start: int, end: int) -> bool:
    return all(end <= s or start >= e for s, e, _row in spans)


def _find(body: str, needle: str, start: int, spans: list[tuple[int, int, int]]) -> int:
    """The first free occurrence of `needle` at or after `start`, or -1."""
    if not needle:
        return -1
    at = body.find(needle, start)
    while at >= 0 and not _free(spans, at, at + len(needle)):
        at = body.find(needle, at + 1)
    return at


def locate(body: str, items: list[Wording]) -> list[tuple[int, int, int]]:
    """(start, end, index) of each item found in `body`, in the order of the text."""
    spans: list[tuple[int, int, int]] = []
    cursor = 0
    for index, item in enumerate(items):
        needle = item.wording.strip()
        at = _find(body, needle, cursor, spans)
        if at < 0:
            at = _find(body, needle, 0, spans)
        if at < 0 and item.source_clause and item.number:
            clause = body.find(item.source_clause.strip())
            if clause >= 0:
                at = _find(body, item.number, clause, spans)
                if at >= clause + len(item.source_clause):
                    at = -1
                needle = item.number
        if at < 0:
            continue
        spans.append((at, at + len(needle), index))
        cursor = at + len(needle)
    return sorted(spans)


def marked(text: str, items: list[Wording]) -> tuple[list[list[Piece]], set[int]]:
    """The normalised text's paragraphs as pieces, and the indexes of the items located."""
    parts = paragraphs(normalise(text))
    body = "\n".join(parts)
    spans = locate(body, items)
    pieces: list[list[Piece]] = [[] for _part in parts]
    anchored: set[int] = set()
    starts, offset = [], 0
    for part in parts:
        starts.append(offset)
        offset += len(part) + 1
    for number, part in enumerate(parts):
        begin, end = starts[number], starts[number] + len(part)
        cursor = begin
        for s, e, row in spans:
            if e <= begin or s >= end:
                continue
            s, e = max(s, begin), min(e, end)
            if s > cursor:
                pieces[number].append(Piece(body[cursor:s]))
            pieces[number].append(Piece(body[s:e], row, row not in anchored))
            anchored.add(row)
            cursor = e
        if cursor < end:
            pieces[number].append(Piece(body[cursor:end]))
    return pieces, {row for _s, _e, row in spans}


def clause_of(text: str, wording: str) -> str:
    """The sentence of the (normalised) text holding `wording`, "" when it is not there: the
    source clause of a target an admin adds with the text's own words."""
    wording = normalise(wording).strip()
    if not wording:
        return ""
    for part in paragraphs(normalise(text)):
        at = part.find(wording)
        if at < 0:
            continue
        start = max(part.rfind(mark, 0, at) for mark in "。;!?") + 1
        ends = [found for mark in "。;!?" if (found := part.find(mark, at + len(wording))) >= 0]
        return part[start : min(ends) if ends else len(part)].strip()
    return ""
