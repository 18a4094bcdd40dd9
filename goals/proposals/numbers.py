"""Quantities in a clause: the number, its scale, unit and comparator, and whether it is a target.

A quantity is a number (Arabic, decimal or Chinese: 3, 3.7, 两, 十) with an optional scale
word (万, 亿; 千 as in 3千人, but 千米 and 千伏 are units), an optional range (2—3, 2至3),
an optional 余, a unit (个, 家, 平方米, %, 套(间)…) and the comparator written around it
(不少于…, …以上, 约…, …左右, 达…, 不超过…, 控制在…以内). A number that is not a target
(a year or a date, a document number, an age, a road's name, a count of the list itself,
a budget or a growth rate given as context, a number inside a quoted name) keeps the
reason it is context.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import cn2an

from goals.rules.progress import Kind

WAN, YI = 10_000, 100_000_000
# Units a target is counted in (longest first when matching). 年, 月, 日, 岁 are not among
# them: a number in years, days or ages is a date, a duration or an age, never a target.
TARGET_UNITS = [
    "万平方米", "平方公里", "平方米", "立方米", "千米", "公里", "公顷", "千伏", "千瓦", "兆瓦", "米", "亩",
    "吨", "元", "个百分点", "%", "‰", "人次", "批次", "户次", "场次", "班次", "车次", "人", "名", "户",
    "家", "所", "个", "座", "条", "处", "张", "部", "组", "套", "间", "场", "册", "项", "台", "辆",
    "块", "支", "栋", "幢", "盏", "棵", "株", "位", "床", "件", "种", "只", "段", "次", "份", "盒",
    "箱", "辆次", "小时", "天", "分钟", "宗", "根", "起", "微克/立方米", "毫克/升", "立方米/日", "吨/日",
]  # fmt: skip
TARGET_UNITS.sort(key=len, reverse=True)
DATE_UNITS = ("年", "月", "日", "号", "时", "周年", "年度", "季度")
AGE_UNITS = ("周岁", "岁")
CN_DIGITS = "零〇一二两三四五六七八九十百千"
# A run of more than 8 Chinese numerals is not a number (一一一…); nor are 40 digits.
NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d{{1,15}}(?:\.\d{{1,6}})?|(?<![{CN_DIGITS}])[{CN_DIGITS}]{{1,8}}(?![{CN_DIGITS}]))"
SCALE = r"(?:万|亿|千(?![米伏瓦克帕卡]))"
BEFORE = (
    r"不少于|不低于|不小于|不超过|不高于|不多于|至少|超过|高于|多于|低于|少于|达到|达|约|大约|控制在|突破"
)
DASH = r"—{1,2}|–|-|~|至|到"
UNIT = "|".join(re.escape(u) for u in TARGET_UNITS + list(DATE_UNITS) + list(AGE_UNITS))
QUANTITY = re.compile(
    rf"(?P<pre>{BEFORE})?(?P<num>{NUMBER})(?P<scale>{SCALE})?"
    rf"(?:(?P<dash>{DASH})(?P<num2>{NUMBER})(?P<scale2>{SCALE})?)?"
    rf"(?P<yu>余|多)?(?P<unit>{UNIT})?(?P<alt>\([^()]{{1,3}}\))?"
    rf"(?:(?P<dash_b>{DASH})(?P<num2b>{NUMBER})(?P<scale2b>{SCALE})?(?P=unit))?(?P<post>以上|以下|以内|左右|余)?"
)
AT_LEAST_WORDS = {"不少于", "不低于", "不小于", "至少", "超过", "高于", "多于", "突破", "以上", "余", "多"}
AT_MOST_WORDS = {"不超过", "不高于", "不多于", "低于", "少于", "控制在", "以下", "以内"}
RATE_WORDS = ("率", "水平", "比例", "占比", "覆盖", "指数", "比重", "密度", "人均", "每")
RATE_UNITS = ("%", "‰", "个百分点")
BUDGET_WORDS = re.compile(r"(投入|总投资|计划投资|资金|预算|经费|概算|总额)[^,;。]{0,8}$")
CHANGE_WORDS = re.compile(r"(提高|提升|增长|增加|下降|降低|减少)$")
GROWTH_WORDS = re.compile(r"(较上年|比上年|同比|较去年|比去年|环比)[^,;。]{0,6}$")
LIST_COUNT_AFTER = re.compile(
    r"^(?:民生实事|为民办实事|实事|大|方面|个方面|大类|个领域|项重点|大行动|大工程|大民生)"
)
# 一部分, 一次性, 一条龙…: set phrases, not quantities.
SET_PHRASES = ("起", "部分", "次性", "条龙", "件事", "张网", "张图", "张蓝图", "站式", "个不少", "批")
NAME_AFTER = re.compile(r"^(?:[A-Za-z]|号线|国道|省道|县道|高速|快速|路|街|巷|弄|村|组|号|期工程|\.0)")


@dataclass
class Quantity:
    """A number found in a clause, as written and as read."""

    start: int
    end: int
    text: str
    value: Decimal
    upper: Decimal | None
    scale: int
    unit: str
    comparator: str
    kind: str
    context: str = ""  # why this number is not a target ("" when it is one)
    doubts: list[str] = field(default_factory=list)

    @property
    def is_target(self) -> bool:
        return not self.context


def number_value(text: str) -> Decimal | None:
    """3 → 3, 3.7 → 3.7, 1,000 → 1000, 两 → 2, 十 → 10, 一千二百 → 1200; None when unreadable."""
    text = text.replace(",", "")
    try:
        if text[0].isdigit():
            return Decimal(text)
        return Decimal(str(cn2an.cn2an(text, "normal")))
    except (InvalidOperation, ValueError, KeyError, IndexError):
        return None


def _in_quotes(clause: str, position: int) -> bool:
    open_ = max(clause.rfind("“", 0, position), clause.rfind("「", 0, position))
    close = max(clause.rfind("”", 0, position), clause.rfind("」", 0, position))
    return open_ > close


def _quoted_names_before(clause: str, position: int) -> int:
    """How many quoted names end right before `position` (“经品优学”“经品健康”…五张)."""
    if not clause[:position].rstrip("、和及与").endswith("”"):
        return 0
    names = re.findall(r"“[^“”]{1,20}”(?:[、和及与]?)", clause[:position])
    tail = clause[:position]
    count = 0
    for name in reversed(names):
        if tail.endswith(name):
            count += 1
            tail = tail[: -len(name)]
        else:
            break
    return count


def _context_reason(clause: str, match: re.Match, value: Decimal) -> str:
    """Why the number is not a target, or "" when it may be one."""
    start, end = match.start("num"), match.end()
    before, after = clause[:start], clause[end:]
    near = before[-40:]  # the words just before the number (patterns anchored at its end)
    num, unit = match["num"], match["unit"] or ""
    chinese = not num[0].isdigit()
    if before.endswith(("第", "〔", "[", "【", "No.", "NO.")) or re.search(r"〔\d*$", near):
        return "序号或文号"
    if before.endswith("每"):
        return "每…(比率的分母)"
    if _in_quotes(clause, start):
        return "名称中的数字"
    if before and re.match(r"[A-Za-z]", before[-1]):
        return "道路或线路名称"
    if unit in DATE_UNITS or (re.fullmatch(r"(19|20)\d\d", num) and not unit):
        return "年份或日期"
    if unit in AGE_UNITS:
        return "年龄"
    if unit == "千伏":
        return "规格(电压等级)"
    if LIST_COUNT_AFTER.match(after) or (not unit and LIST_COUNT_AFTER.match(clause[match.end("num") :])):
        return "清单本身的项数"
    if unit and value >= 2 and value == _quoted_names_before(clause, start):
        return "清单本身的项数"
    if not unit:
        if chinese:
            return "不是数量"
        if NAME_AFTER.match(after) or re.match(r"[\u4e00-\u9fff]", after[:1] or ""):
            return "名称中的数字"
    if chinese:
        if re.fullmatch(r"[百千万亿]+", num) or set(num) <= {"零", "〇"}:
            return "不是数量"
        rest = clause[match.start("unit") :]
        if num == "一" and (re.match(r"^[\u4e00-\u9fff]一", rest) or rest.startswith(SET_PHRASES)):
            return "不是数量"
    if unit in ("分钟", "小时", "天") and re.match(r"^(?!以上|以下|以内|左右)[\u4e00-\u9fff]", after):
        return "名称中的数字"  # 15分钟生活圈, 24小时自助服务区
    if unit.endswith("元") and BUDGET_WORDS.search(near):
        return "投入资金(背景)"
    # a change next to a budget describes the budget; on its own it is the target
    growth = GROWTH_WORDS.search(near) and (unit in RATE_UNITS or "增长" in before[-8:])
    if growth and re.search(r"元|投入|资金|预算|经费", before):
        return "增长率(背景)"
    if unit.endswith("元") and re.search(r"(预计|计划投入|总投资)[^,;。]{0,10}$", near):
        return "投入资金(背景)"
    return ""


def _kind(match: re.Match, subject: str, unit: str) -> tuple[str, str, list[str]]:
    """(kind, comparator as written, doubts)."""
    pre, post, yu = match["pre"] or "", match["post"] or "", match["yu"] or ""
    doubts: list[str] = []
    if match["num2"] or match["num2b"]:
        return Kind.RANGE, match["dash"] or match["dash_b"], doubts
    if pre in ("约", "大约") or post == "左右":
        return Kind.ABOUT, pre or post, doubts
    if pre in AT_MOST_WORDS or post in AT_MOST_WORDS:
        word = f"{pre}…{post}" if pre and post else pre or post
        return Kind.AT_MOST, word, doubts
    if pre in ("达", "达到"):
        if unit in RATE_UNITS or any(word in subject for word in RATE_WORDS):
            return Kind.LEVEL, pre, doubts
        doubts.append("「达」可读作水平(level)或累计数量(at_least)")
        return Kind.AT_LEAST, pre, doubts
    if pre in AT_LEAST_WORDS or post in AT_LEAST_WORDS or yu:
        return Kind.AT_LEAST, pre or yu or post, doubts
    change = CHANGE_WORDS.search(subject)
    if change:
        return Kind.AT_LEAST, change.group(0), doubts  # 提高2个百分点, 下降10%: the change asked for
    if unit in RATE_UNITS:
        doubts.append("百分比没有比较词,按水平(level)读")
        return Kind.LEVEL, "", doubts
    return Kind.AT_LEAST, "", doubts


def quantities(clause: str) -> list[Quantity]:
    """Every number in the clause, in order, targets and context alike."""
    found: list[Quantity] = []
    for match in QUANTITY.finditer(clause):
        value = number_value(match["num"])
        if value is None:
            continue
        unit = match["unit"] or ""
        scale = 1
        if match["scale"] == "万":
            scale = WAN
        elif match["scale"] == "亿":
            scale = YI
        elif match["scale"] == "千":
            value *= 1000
        if unit == "万平方米":
            unit, scale = "平方米", WAN
        upper = number_value(match["num2"] or match["num2b"]) if (match["num2"] or match["num2b"]) else None
        match_scale2 = match["scale2b"] if match["num2b"] else match["scale2"]
        if upper is not None and match_scale2 == "千":
            upper *= 1000
        if upper is not None and match_scale2 and match_scale2 != "千" and scale == 1:
            scale = WAN if match_scale2 == "万" else YI
        if match["alt"] and unit:
            unit += match["alt"]
        context = _context_reason(clause, match, value)
        kind, comparator, doubts = _kind(match, clause[: match.start()], unit)
        if upper is not None and upper < value:
            context = context or "不是区间(上限小于下限)"
        if not context and not unit:
            doubts.append("没有单位")
        if not context and match["num"] == "一":
            doubts.append("「一」可能不是数量")
        found.append(
            Quantity(
                start=match.start(),
                end=match.end(),
                text=match.group(0),
                value=value,
                upper=upper,
                scale=scale,
                unit=unit,
                comparator=comparator,
                kind=kind,
                context=context,
                doubts=doubts,
            )
        )
    return found
