"""Plausibility checks at submission: figures that are possible but look wrong.

Not refused, not silently accepted either: the official confirms with a note saying why,
and the reviewer sees the flag in the queue. Pure rules, no database (the form looks up
the last approved value). Impossible input (negative values, a stage above 100 %, a value
a hundred times the target) is refused outright by goals.reporting.forms.

- **decrease**: a cumulative value lower than the last approved one dated on or before it
  (a running total does not go down, unless the earlier figure was wrong);
- **overshoot**: a value above the target times PLAUSIBLE_OVERSHOOT_FACTOR (2 by default);
- **percent_range**: a percentage outside 0–100 (targets measured in %).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Flag(models.TextChoices):
    DECREASE = "decrease", _("累计值低于上次审核通过的数值")
    OVERSHOOT = "overshoot", _("大幅超出目标值")
    PERCENT_RANGE = "percent_range", _("百分比超出 0–100")


def check(
    *,
    kind: str,
    unit: str,
    goal: Decimal | None,
    value: Decimal,
    previous: Decimal | None,
    factor: Decimal,
) -> list[Flag]:
    """The flags a cumulative `value` raises for a target of `kind` measured in `unit`,
    whose goal is `goal` (base units; None for milestones) and whose last approved value
    is `previous`."""
    flags: list[Flag] = []
    if previous is not None and value < previous:
        flags.append(Flag.DECREASE)
    if kind not in ("milestone", "at_most") and goal is not None and goal > 0 and value > goal * factor:
        flags.append(Flag.OVERSHOOT)
    if unit == "%" and kind != "milestone" and not 0 <= value <= 100:
        flags.append(Flag.PERCENT_RANGE)
    return flags


def labels(codes) -> list[str]:
    """Stored flag codes as words (unknown codes are shown as they are)."""
    found = []
    for code in codes or ():
        try:
            found.append(str(Flag(code).label))
        except ValueError:
            found.append(str(code))
    return found
