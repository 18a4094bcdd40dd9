"""How the plan's numbers are written back out: as the document wrote them."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

# How a scale is written after a number (the values of goals.models.Scale: 1, 万, 亿).
SCALE_LABELS = {1: "", 10_000: "万", 100_000_000: "亿"}


def plain(value: Decimal | int | None) -> str:
    """236.6000 → "236.6", 200.0000 → "200", never scientific notation."""
    if value is None:
        return ""
    text = format(Decimal(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def scaled(value: Decimal | None, scale: int, unit: str) -> str:
    """A number at its scale with its unit: (1.1, 10000, "名") → "1.1万名"."""
    if value is None:
        return ""
    return f"{plain(value)}{SCALE_LABELS.get(scale, '')}{unit}"


def target_text(target) -> str:
    """The target as the document states it: "不少于10家", "2—3所", "150人次左右", "达77%"."""
    kind = target.Kind
    unit = f"{SCALE_LABELS.get(target.scale, '')}{target.unit}"
    if target.kind == kind.MILESTONE:
        return str(kind.MILESTONE.label)
    if target.kind == kind.RANGE:
        return f"{plain(target.target_value)}—{plain(target.target_upper)}{unit}"
    number = f"{plain(target.target_value)}{unit}"
    comparator = target.comparator
    if comparator in ("左右", "以上"):
        return f"{number}{comparator}"
    if comparator and comparator != "—":
        return f"{comparator}{number}"
    return number


# Units counted in whole things: a forecast of them is a whole number (200 个, not 200.36个).
COUNT_UNITS = frozenset(
    [
        "个",
        "所",
        "家",
        "人",
        "名",
        "人次",
        "户",
        "座",
        "张",
        "辆",
        "套",
        "台",
        "项",
        "次",
        "条",
        "处",
        "栋",
        "幢",
        "间",
        "件",
        "床",
        "位",
        "场",
        "批",
        "支",
        "只",
        "艘",
        "架",
        "本",
        "册",
        "棵",
        "株",
        "个次",
        "户次",
        "家次",
        "台套",
        "辆次",
    ]
)


def counted(target) -> bool:
    """Whether the target counts whole things: a count unit, and not a level (每千人口拥有托位数
    达4.5个 is a ratio written in 个)."""
    return target.unit in COUNT_UNITS and target.kind != target.Kind.LEVEL


def at_scale_rounded(
    value: Decimal | None, target, places: int = 2, rounding: str = ROUND_HALF_UP
) -> Decimal | None:
    """A computed base-unit figure (a forecast) at the target's scale: whole things for a
    count (10523.7名 → 10524名, written 1.0524万名: rounded in its unit, not at 万), else
    to `places` decimals at the scale."""
    if value is None:
        return None
    if counted(target):
        whole = Decimal(value).quantize(Decimal(1), rounding=rounding)
        return whole / target.scale
    scaled_value = Decimal(value) / target.scale
    return scaled_value.quantize(Decimal(1).scaleb(-places), rounding=rounding)


def forecast_text(value: Decimal | None, target) -> str:
    """A forecast as the site writes it: 1.0524万名, 205个, 76.93%."""
    rounded_value = at_scale_rounded(value, target)
    if rounded_value is None:
        return ""
    return scaled(rounded_value, target.scale, target.unit)


def rate_rounded(value: Decimal | None, target) -> Decimal | None:
    """A monthly rate still needed, at the target's scale: rounded up (0.33家 a month is at
    least 1家 a month: less would not get there), whole things for a count."""
    return at_scale_rounded(value, target, rounding=ROUND_CEILING)


def rate_text(value: Decimal | None, target) -> str:
    """A monthly rate as the site writes it (without "/月"): 1家, 34个, 1.16%."""
    rounded_value = rate_rounded(value, target)
    if rounded_value is None:
        return ""
    return scaled(rounded_value, target.scale, target.unit)


def in_target_scale(value: Decimal | None, target) -> str:
    """A reported plain number written at the target's scale: 10500 for 1.1万名 → "1.05万名"."""
    if value is None:
        return ""
    if target.kind == target.Kind.MILESTONE:
        return f"{plain(value)}%"
    return scaled(Decimal(value) / target.scale, target.scale, target.unit)
