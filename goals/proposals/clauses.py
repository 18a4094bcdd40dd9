"""A group's text → clauses → proposed targets.

A sentence (ended by 。!?) is split at ; into segments and at , into parts. Each part that
asks for something is one proposal: a quantity (新建公共停车位1000个) is a target of its
kind; several quantities in one part (新增1家社区长者食堂、3家乡村长者照护之家) are several
targets; 其中… (in brackets or as the next part) adds sub-targets to the target before it;
不发生… is an at-most-zero target; a part with a task verb and no quantity (设立…服务中心,
完成…改扩建工程) is a milestone. Parts that only lead in (依托…, 以…为牵引, 紧盯…) are read
with the part after them; parts that only explain (更好…, 提供…, the works of a …工程) with
the part before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from goals.proposals.numbers import Quantity, quantities
from goals.rules.progress import Kind

OPENERS, CLOSERS = "(“《「【〔", ")”》」】〕"
TASK_VERBS = re.compile(
    "完成|新建|新增|新开工|建成|建设|开展|推进|推动|实施|打造|提升|优化|深化|加快|加强|强化|坚持|落实|"
    "做好|抓好|严把|研究|探索|启动|绘就|发挥|组织|打响|完善|设立|举办|开设|改造|整治|治理|安装|培育|"
    "招引|壮大|巩固|攻坚|守住|筑牢|确保|改扩建|升级|创建|创成|配备|增设|增加|扩大|规范|丰富|支持|保障|"
    "构建|健全|建立|提高|改善|制定|出台|编制|组建|开通|投用|投运|交付|竣工|开工|贯通|打通|整合|布局|"
    "宣传|培训|帮扶|救助|资助|发放|扩面|提质|新改建|修缮|改建|扩建|铺设|敷设|更新|更换|筹集|引进|"
    "实现|覆盖|送|办好|发布|举行|搭建|拓展|延伸|推广|普及|补齐|新设|开放|提供|服务"
)
LEAD_WORDS = ("依托", "围绕", "面向", "按照", "根据", "通过", "聚焦", "紧扣", "紧盯", "立足", "对照", "针对")
LEAD_FOR = re.compile(r"^以.{1,30}为(牵引|抓手|重点|引领|载体|核心|目标|导向|主线|契机|依托|支撑|突破口)$")
EXPLAINS = ("更好", "让", "使", "以便", "从而", "提供", "助力", "切实")
ZERO = re.compile(r"不发生|零发生|杜绝|零事故|零伤亡|无重大")
ADVERBS = re.compile(
    r"^(持续|全面|深入|加快|大力|扎实|全力|稳步|认真|积极|进一步|不断|逐步|高质量|坚定不移|快马加鞭|专班|"
    r"精心|高效|充分|纵深|牢牢|全年|年内|今年|力争|确保|计划|预计)+"
)
JOINERS = re.compile(r"[、,;]|和|及|以及|并")
TIME_WORDS = re.compile(r"^(全年|年内|今年|年底前|力争|确保)")


@dataclass
class Proposal:
    """One proposed target, as the text words it and as it is read."""

    name: str
    wording: str
    source_clause: str
    kind: str
    comparator: str = ""
    target_value: Decimal | None = None
    target_upper: Decimal | None = None
    unit: str = ""
    scale: int = 1
    confidence: float = 0.9
    doubts: list[str] = field(default_factory=list)
    sub_targets: list[Proposal] = field(default_factory=list)


@dataclass
class Context:
    """A number read as context, not as a target, and why."""

    text: str
    reason: str
    source_clause: str


def split_outside(text: str, separators: str) -> list[str]:
    """Split at any of `separators` that is not inside brackets or quotes."""
    pieces, depth, current = [], 0, []
    for ch in text:
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS and depth:
            depth -= 1
        if ch in separators and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return [p.strip() for p in pieces if p.strip()]


def sentences(text: str) -> list[str]:
    return split_outside(text, "。!?\n")


def _targets(quantities_: list[Quantity]) -> list[Quantity]:
    return [q for q in quantities_ if q.is_target]


def _is_task(text: str) -> bool:
    return bool(TASK_VERBS.search(text)) or bool(ZERO.search(text))


def _is_lead(text: str) -> bool:
    if LEAD_FOR.match(text):
        return True
    if text.startswith(LEAD_WORDS):
        return not TASK_VERBS.search(text[2:])
    return not _is_task(text)


def _short_name(text: str) -> str:
    text = re.sub(r"\(其中[^()]*\)", "", text)
    if "," in text:
        pieces = text.split(",")
        text = next((p for p in pieces if not _is_lead(p)), pieces[0])
    text = ADVERBS.sub("", text).strip(" ,;、") or text
    return text[:60]


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _join_measured(merged: list[list]) -> None:
    """开展…安装工作,为…700人安装…设备: a task named and then counted once is one target.

    Joined when the task has no number, exactly one part with a number follows it in the
    segment, that number is a count (not a rate) and the counting part either repeats the
    task's words or has no task verb of its own (惠及学生…, 接种人数达…)."""
    counted = [i for i, (text, *_rest) in enumerate(merged) if _targets(quantities(text))]
    if len(counted) != 1 or counted[0] == 0:
        return
    index = counted[0]
    task, measure = merged[index - 1][0], merged[index][0]
    found = _targets(quantities(measure))
    if _targets(quantities(task)) or len(found) != 1 or found[0].unit in ("%", "‰", "个百分点"):
        return
    if merged[index][3] or TASK_VERBS.match(ADVERBS.sub("", measure)):
        return  # the counting part has its own verb, or took a lead-in: a task of its own
    if _bigrams(task) & _bigrams(measure) or not TASK_VERBS.search(measure):
        merged[index - 1 : index + 1] = [[task + "," + measure, *merged[index][1:]]]


def merge_parts(segment: str) -> list[tuple[str, bool]]:
    """The parts of one segment, lead-ins and explanations joined to the part they belong to.

    Returns (text, is_works_detail): the second is True when the part joined a …工程's works,
    whose numbers describe the works and are not targets of their own."""
    parts = split_outside(segment, ",")
    merged: list[list] = []  # [text, details_only, in_works, took a lead-in]
    pending = ""
    for part in parts:
        numbers = _targets(quantities(part))
        arabic = [q for q in numbers if q.text and any(c.isdigit() for c in q.text)]
        if merged and merged[-1][2] and not arabic and not part.startswith("其中"):
            merged[-1][0] += "," + part
            merged[-1][1] = True
            continue
        if not numbers and merged and not pending and part.startswith(EXPLAINS):
            merged[-1][0] += "," + part
            continue
        if (
            not numbers
            and merged
            and not pending
            and part.endswith(("等活动", "等"))
            and not _targets(quantities(merged[-1][0]))
        ):
            merged[-1][0] += "," + part
            continue
        if not numbers and _is_lead(part) and not part.startswith("其中"):
            pending += part + ","
            continue
        text = pending + part
        pending = ""
        merged.append([text, False, text.endswith("工程"), text != part])
    _join_measured(merged)
    if pending:
        if merged:
            merged[-1][0] += "," + pending.rstrip(",")
        else:
            merged.append([pending.rstrip(","), False, False, False])
    return [(text, details) for text, details, *_rest in merged]


def _proposal(q: Quantity, wording: str, clause: str, verb: str) -> Proposal:
    name = wording.replace(q.text, "", 1)
    name = re.sub(r"\(其中[^()]*\)|\(\)", "", name)
    name = TIME_WORDS.sub("", name.strip(" ,;、")) or wording
    if verb and not TASK_VERBS.match(name):
        name = verb + name
    doubts = list(q.doubts)
    confidence = 0.9 if q.comparator else 0.85
    confidence -= 0.2 * len(doubts)
    return Proposal(
        name=name[:60],
        wording=wording,
        source_clause=clause,
        kind=q.kind,
        comparator=q.comparator,
        target_value=q.value,
        target_upper=q.upper,
        unit=q.unit,
        scale=q.scale,
        confidence=round(max(confidence, 0.3), 2),
        doubts=doubts,
    )


def _pieces(text: str, found: list[Quantity]) -> list[str]:
    """The words of each target when one part holds several (split after each quantity)."""
    cuts = [0]
    for q, nxt in zip(found, found[1:], strict=False):
        match = JOINERS.search(text, q.end, nxt.start)
        cuts.append(match.end() if match else q.end)
    cuts.append(len(text))
    return [text[a:b].strip(" 、,;和及并") for a, b in zip(cuts, cuts[1:], strict=False)]


def read_part(text: str, clause: str, details: bool, context: list[Context]) -> list[Proposal]:
    """The proposals in one merged part; numbers that are not targets go to `context`."""
    subs_text = " ".join(re.findall(r"\(其中([^()]*)\)", text))
    main = re.sub(r"\(其中[^()]*\)", "", text)
    found = quantities(main)
    for q in found:
        if q.context and (q.text[:1].isdigit() or q.unit):
            context.append(Context(q.text, q.context, clause))
    targets = _targets(found)
    if details:
        # the works of a …工程 (新增先行路一条车道): part of the milestone, not targets
        for q in targets:
            if main.find(q.text) > main.find("工程"):
                context.append(Context(q.text, "工程内容", clause))
        targets = [q for q in targets if main.find(q.text) < main.find("工程")]
    if not targets:
        if ZERO.search(main):
            start = ZERO.search(main).start()
            wording = main[start:].split("的底线")[0]
            return [
                Proposal(
                    name=_short_name(wording),
                    wording=wording,
                    source_clause=clause,
                    kind=Kind.AT_MOST,
                    comparator=ZERO.search(main).group(0),
                    target_value=Decimal(0),
                    confidence=0.8,
                )
            ]
        if _is_task(main) and len(main) >= 4:
            return [Proposal(name=_short_name(main), wording=text, source_clause=clause, kind=Kind.MILESTONE)]
        return []
    verb_match = TASK_VERBS.match(ADVERBS.sub("", main))
    verb = verb_match.group(0) if verb_match else ""
    pieces = [main] if len(targets) == 1 else _pieces(main, targets)
    proposals = [_proposal(q, wording, clause, verb) for q, wording in zip(targets, pieces, strict=False)]
    if subs_text and proposals:
        proposals[-1].sub_targets.extend(read_part(subs_text, clause, False, context))
    return proposals


def read(text: str, context: list[Context]) -> list[Proposal]:
    """Every proposal in a group's text, in order."""
    proposals: list[Proposal] = []
    for sentence in sentences(text):
        clause = sentence.strip()
        for segment in split_outside(sentence, ";:"):
            for part, details in merge_parts(segment):
                found = read_part(part, clause, details, context)
                if part.startswith("其中") and proposals and found:
                    proposals[-1].sub_targets.extend(found)
                else:
                    proposals.extend(found)
    return proposals
