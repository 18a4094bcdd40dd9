"""The seed data: the 2024 plan and the 2023 results, checked against the source document."""

from __future__ import annotations

import os
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import F

from goals.models import (
    Action,
    Department,
    Measure,
    Pillar,
    Plan,
    ReportedFigure,
    Target,
    TargetGroup,
)
from projects.models import Project

FIXTURES = Path(__file__).parent.parent / "fixtures"
PLAN_FIXTURE = FIXTURES / "plan-2024.json"
RESULTS_FIXTURE = FIXTURES / "results-2023.json"
# A verbatim copy of ../shared/source/plan-2024.md, kept in the repo so the seed can be
# checked against it anywhere.
SOURCE = Path(os.environ.get("PLAN_SOURCE", FIXTURES / "source" / "plan-2024.md"))

NUMBER = re.compile(r"\d+(?:\.\d+)?")
PROJECT_NAMES = [
    "常有善育",
    "常有优学",
    "常有健康",
    "常有颐养",
    "常有安居",
    "常有众扶",
    "促进就业富民工程",
    "交通畅行工程",
    "环境改善工程",
    "社会服务保障工程",
]


def nows(text: str) -> str:
    """The text with all whitespace removed (the newspaper layout breaks lines mid-word)."""
    return re.sub(r"\s+", "", text)


def plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@pytest.fixture(scope="module")
def source() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def flat(source) -> str:
    return nows(source)


def load() -> None:
    call_command("loaddata", str(PLAN_FIXTURE), str(RESULTS_FIXTURE), verbosity=0)


# `seeded` (tests/conftest.py) loads the same files quickly; the real loaddata is
# exercised below on an empty database and again on top of the seed.


def counts() -> dict[str, int]:
    return {
        "plan": Plan.objects.count(),
        "department": Department.objects.count(),
        "pillar": Pillar.objects.count(),
        "action": Action.objects.count(),
        "targetgroup": TargetGroup.objects.count(),
        "measure": Measure.objects.count(),
        "project": Project.objects.count(),
        "target": Target.objects.count(),
        "figure": ReportedFigure.objects.count(),
    }


EXPECTED_COUNTS = {
    "plan": 1,
    "department": 10,
    "pillar": 4,
    "action": 7,
    "targetgroup": 66,
    "measure": 56,
    "project": 10,
    "target": 116,
    "figure": 41,
}


# ---------------------------------------------------------------- counts and structure


@pytest.mark.django_db
def test_counts(seeded):
    assert counts() == EXPECTED_COUNTS
    assert Measure.objects.filter(action__isnull=False, pillar__isnull=True).count() == 51
    assert Measure.objects.filter(action__isnull=True, pillar__code="S4").count() == 5
    assert Target.objects.filter(parent__isnull=False).count() == 1
    assert Target.objects.filter(group__kind="project").count() == 59
    assert Target.objects.filter(group__kind="measure").count() == 57
    kinds = {k: Target.objects.filter(kind=k).count() for k, _ in Target.Kind.choices}
    assert kinds == {"at_least": 41, "range": 2, "about": 2, "level": 3, "at_most": 1, "milestone": 67}


@pytest.mark.django_db
def test_loaddata_on_an_empty_database_loads_everything():
    load()
    assert counts() == EXPECTED_COUNTS


@pytest.mark.django_db
def test_loading_twice_creates_no_duplicates(seeded):
    before = counts()
    pks = dict(Target.objects.values_list("code", "pk"))
    group_pks = dict(TargetGroup.objects.values_list("code", "pk"))
    load()
    assert counts() == before == EXPECTED_COUNTS
    assert dict(Target.objects.values_list("code", "pk")) == pks
    assert dict(TargetGroup.objects.values_list("code", "pk")) == group_pks


@pytest.mark.django_db
def test_every_object_passes_full_clean(seeded):
    for model in (Plan, Department, Pillar, Action, Measure, Project, Target, ReportedFigure):
        for obj in model.objects.all():
            obj.full_clean()


@pytest.mark.django_db
def test_plan(seeded):
    plan = seeded
    assert plan.title == "争创国家级经济技术开发区 争做全市高质量发展强劲活跃增长极"
    assert plan.theme == "强劲活跃实干年"
    assert plan.positioning == "苏南智造新高地、开放融合先行区"
    assert plan.mission == "争创“国家级”、争做“增长极”"
    assert str(plan.adopted_on) == "2023-12-27"
    assert "2024年十大民生实事项目出炉" in plan.source
    assert "争创国家级经济技术开发区 争做全市高质量发展强劲活跃增长极" in plan.source
    assert "“147”发展思路" in plan.source_clause


@pytest.mark.django_db
def test_departments(seeded):
    got = list(Department.objects.order_by("order").values_list("name", "kind"))
    assert got == [
        ("横林镇", "town"),
        ("遥观镇", "town"),
        ("横山桥镇", "town"),
        ("潞城街道", "subdistrict"),
        ("丁堰街道", "subdistrict"),
        ("戚墅堰街道", "subdistrict"),
        ("区经济发展局", "bureau"),
        ("生态环境分局", "bureau"),
        ("法院", "other"),
        ("检察院", "other"),
    ]
    assert not Target.objects.filter(lead_department__isnull=False).exists()
    assert not Target.objects.filter(co_departments__isnull=False).exists()


@pytest.mark.django_db
def test_pillars_and_actions(seeded):
    pillars = list(Pillar.objects.order_by("order").values_list("code", "name", "focus"))
    assert pillars == [
        ("S1", "实力经开", "经济发展再跨越"),
        ("S2", "活力经开", "发展动能再突破"),
        ("S3", "魅力经开", "城市能级再提升"),
        ("S4", "合力经开", "政治生态再优化"),
    ]
    actions = list(Action.objects.order_by("order").values_list("code", "name"))
    assert actions == [
        ("A1", "重大项目突破行动"),
        ("A2", "科技创新领航行动"),
        ("A3", "园区更新升级行动"),
        ("A4", "东部新城聚合行动"),
        ("A5", "民生品质提升行动"),
        ("A6", "安全环保固本行动"),
        ("A7", "城市治理增效行动"),
    ]
    # The document links no action to a pillar.
    assert not Action.pillars.through.objects.exists()
    per_action = {a.code: a.measures.count() for a in Action.objects.all()}
    assert per_action == {"A1": 6, "A2": 6, "A3": 8, "A4": 10, "A5": 8, "A6": 7, "A7": 6}
    a3 = Action.objects.get(code="A3")
    assert a3.summary == a3.source_clause
    assert a3.summary.startswith("三要大力推进“园区更新升级行动”。")
    assert "新投放大标准厂房100万平方米以上" in a3.summary


@pytest.mark.django_db
def test_measures(seeded):
    s4 = list(Measure.objects.filter(pillar__code="S4").order_by("order").values_list("code", "name"))
    assert s4 == [
        ("S4.1", "深化主题教育,筑牢实干创业的政治根基"),
        ("S4.2", "树立正确导向,打造实干创业的过硬队伍"),
        ("S4.3", "坚持大抓基层,建强实干创业的战斗堡垒"),
        ("S4.4", "强化正风肃纪,巩固实干创业的优良生态"),
        ("S4.5", "增进广泛团结,凝聚实干创业的强大合力"),
    ]
    assert Measure.objects.get(code="A3.2").name == "加快在建项目建设,确保年内新投放大标准厂房100万平方米以上"
    assert Measure.objects.get(code="A6.6").action.code == "A6"
    for measure in Measure.objects.all():
        assert measure.kind == "measure"
        targets = list(measure.targets.all())
        assert targets, measure.code
        # one target: the measure's code; several: the code plus a letter, except A3.2,
        # which keeps its code (its natural key) beside the commitment split out of it
        if len(targets) == 1:
            assert targets[0].code == measure.code
            if targets[0].kind == "milestone":
                assert targets[0].wording == measure.name
        elif measure.code == "A3.2":
            assert [t.code for t in targets] == ["A3.2a", "A3.2"]
        else:
            assert all(re.fullmatch(re.escape(measure.code) + "[a-z]", t.code) for t in targets)


@pytest.mark.django_db
def test_projects(seeded):
    projects = list(Project.objects.order_by("order").values_list("code", "name", "kind"))
    assert projects == [(f"P{i}", name, "project") for i, name in enumerate(PROJECT_NAMES, 1)]
    per_project = {p.code: p.targets.count() for p in Project.objects.all()}
    assert per_project == {
        "P1": 5,
        "P2": 4,
        "P3": 3,
        "P4": 6,
        "P5": 5,
        "P6": 4,
        "P7": 2,
        "P8": 6,
        "P9": 11,
        "P10": 13,
    }
    for project in Project.objects.all():
        assert project.source_clause.startswith(project.name + ",")


# ---------------------------------------------------------------- targets

# code: (kind, comparator, value, upper, scale, unit, wording)
TARGETS = {
    "P1.1": ("at_least", "", "1", None, 1, "家", "新增省级普惠托育机构1家"),
    "P1.2": ("at_least", "", "2", None, 1, "家", "市级普惠托育机构2家"),
    "P1.3": ("at_least", "", "200", None, 1, "个", "全年新增托位200个"),
    "P1.4": ("level", "达", "4.5", None, 1, "个", "每千人口拥有托位数达4.5个"),
    "P2.1": ("range", "—", "2", "3", 1, "所", "新增省市优质园2—3所"),
    "P2.2": ("range", "—", "2", "3", 1, "所", "市新优质学校2—3所"),
    "P3.1": ("level", "达", "77", None, 1, "%", "全年重点人群签约率达77%"),
    "P3.2": ("level", "达", "27", None, 1, "%", "个性化服务签约率达27%"),
    "P4.1": ("at_least", "", "1.1", None, 10000, "名", "为1.1万名80周岁以上老年人提供居家养老服务"),
    "P4.3": ("at_least", "不少于", "10", None, 1, "家", "新建社区食堂不少于10家"),
    "P4.5": ("at_least", "", "3", None, 1, "处", "新增养老助餐点3处"),
    "P5.2": ("at_least", "", "50", None, 1, "组", "完成既有住宅电动汽车充电桩50组"),
    "P5.2.1": ("at_least", "", "15", None, 1, "个", "其中旧改15个"),
    "P5.3": ("at_least", "", "800", None, 1, "套(间)", "保障性租赁住房新开工(筹集)800套(间)"),
    "P6.1": ("about", "左右", "150", None, 1, "人次", "救助150人次左右"),
    "P6.3": ("at_least", "不少于", "70", None, 1, "人", "为残疾儿童提供基本康复训练不少于70人"),
    "P7.1": ("at_least", "", "0.3", None, 10000, "人", "失业人员再就业0.3万人"),
    "P7.2": ("at_least", "", "3000", None, 1, "人次", "开展各类补贴性职业技能培训3000人次"),
    "P8.6": ("at_least", "", "1000", None, 1, "个", "新建公共停车位1000个"),
    "P9.2": ("about", "约", "730", None, 1, "米", "完成常丰河水系整治(约730米)"),
    "P9.3": ("at_least", "", "3.7", None, 1, "公里", "新建城镇污水管网3.7公里"),
    "P9.6": ("at_least", "", "18", None, 1, "座", "新建三类以上农村公厕18座"),
    "P9.9": ("at_least", "", "18", None, 1, "座", "提升改造城市公厕18座"),
    "P10.7": ("at_least", "", "6000", None, 1, "册", "送书下乡6000册"),
    "P10.8": ("at_least", "不少于", "6", None, 1, "场", "全年举办不少于6场区级全民健身系列赛事活动"),
    "P10.10": ("at_least", "", "3000", None, 1, "批次", "完成全区食品快速检测风险监测样本3000批次"),
    "P10.13": ("at_least", "", "2", None, 1, "场", "举办识别真假检测报告公益宣传活动2场"),
    "A3.2": ("at_least", "以上", "100", None, 10000, "平方米", "确保年内新投放大标准厂房100万平方米以上"),
    "A6.1": ("at_most", "", "0", None, 1, "", "不发生重特大事故和有影响事故"),
}

MILESTONES = {
    "P2.4": "逐步推进实施“十个100”课改行动工程,实现优质教育资源共享",
    "P5.4": "实施312快速道路城中村改造项目",
    "P8.1": "完成清正路(横河—东方西路)改扩建工程",
    "P10.1": "设立常州经开区婚姻登记服务中心,提供婚姻登记服务",
    "P10.12": "开展“消费密切”领域抽检",
    "A6.6": "扎实推进绿色涂料、表面处理两大“绿岛”项目",
    "A4.3": "实现重点村庄规划编制全覆盖",
    "A3.2a": "加快在建项目建设",
    "P3.0": "开展“健康满格”家庭医生签约服务",
    "P6.0": "完善临时救助主动发现机制,政策内应救尽救",
    "S4.3": "坚持大抓基层,建强实干创业的战斗堡垒",
}


@pytest.mark.django_db
def test_target_values(seeded):
    def dec(value):
        return None if value is None else Decimal(value)

    got = {
        t.code: (t.kind, t.comparator, t.target_value, t.target_upper, t.scale, t.unit, t.wording)
        for t in Target.objects.filter(plan=seeded, code__in=TARGETS)
    }
    expected = {
        code: (kind, comparator, dec(value), dec(upper), scale, unit, wording)
        for code, (kind, comparator, value, upper, scale, unit, wording) in TARGETS.items()
    }
    assert got == expected


@pytest.mark.django_db
def test_milestones(seeded):
    got = {
        t.code: (t.kind, t.wording, t.target_value, t.target_upper, t.unit, t.comparator)
        for t in Target.objects.filter(plan=seeded, code__in=MILESTONES)
    }
    assert got == {code: ("milestone", wording, None, None, "", "") for code, wording in MILESTONES.items()}


@pytest.mark.django_db
def test_scaled_targets(seeded):
    wan = {t.code: t.in_base_units(t.target_value) for t in Target.objects.filter(scale=10000)}
    assert wan == {"P4.1": Decimal(11000), "P7.1": Decimal(3000), "A3.2": Decimal(1000000)}


@pytest.mark.django_db
def test_sub_target(seeded):
    child = Target.objects.get(code="P5.2.1")
    assert child.parent.code == "P5.2"
    assert child.group.code == "P5"
    assert child.parent.group_id == child.group_id
    assert list(Target.objects.get(code="P5.2").children.values_list("code", flat=True)) == ["P5.2.1"]
    assert Target.objects.top_level().count() == 115


@pytest.mark.django_db
def test_target_defaults(seeded):
    for t in Target.objects.all():
        assert t.tolerance_percent == Decimal(10), t.code
        assert t.weight == Decimal(1), t.code
        assert t.baseline_value is None and t.baseline_year is None, t.code
        assert t.due_date is None, t.code
        assert t.group.plan_id == seeded.pk, t.code
        assert len(t.name) <= 200 and t.name, t.code
        if t.kind == "milestone":
            assert t.target_value is None and t.unit == "" and t.comparator == "", t.code
        elif t.kind == "at_most":  # 不发生重特大事故: the source gives no unit
            assert t.target_value == 0 and t.unit == "", t.code
        else:
            assert t.target_value is not None and t.unit, t.code
        assert (t.target_upper is not None) == (t.kind == "range"), t.code


@pytest.mark.django_db
def test_target_numbers_come_from_their_clause(seeded):
    for t in Target.objects.all():
        assert nows(t.wording) in nows(t.source_clause), t.code
        for number in NUMBER.findall(t.wording):
            assert number in t.source_clause, (t.code, number)
        if t.kind not in ("milestone", "at_most"):
            # the value is written in the wording, as the document writes it
            assert re.search(rf"(?<![\d.]){re.escape(plain(t.target_value))}(?![\d.])", t.wording), t.code
        if t.kind == "range":
            assert f"{plain(t.target_value)}—{plain(t.target_upper)}" in t.wording, t.code
        if t.comparator and t.comparator != "—":
            assert t.comparator in t.wording, t.code


@pytest.mark.django_db
def test_every_project_number_is_a_target(seeded, source):
    """Nothing dropped: each number of the ten project paragraphs is in some target's wording."""
    text = source[source.index("常有善育,新增") : source.index("### 新能源规上企业产值")]
    numbers = NUMBER.findall(text)
    assert len(numbers) == 52
    values = set()
    for t in Target.objects.filter(group__kind="project").exclude(kind="milestone"):
        values.add(plain(t.target_value))
        if t.target_upper is not None:
            values.add(plain(t.target_upper))
    milestone_numbers = {"100", "312"}  # “十个100”课改行动工程, 312快速道路 (names, not quantities)
    age = {"80"}  # 80周岁以上: who is served, not how many
    for number in numbers:
        assert number in values | milestone_numbers | age, number
    # as a multiset: the wordings of the project targets hold every number of the text, once
    wordings = Target.objects.filter(group__kind="project").values_list("wording", flat=True)
    assert Counter(n for w in wordings for n in NUMBER.findall(w)) == Counter(numbers)


@pytest.mark.django_db
def test_targets_in_document_order(seeded, flat):
    positions = []
    for t in Target.objects.order_by("order"):
        start = flat.find(nows(t.source_clause))
        assert start >= 0, t.code
        positions.append((start + nows(t.source_clause).find(nows(t.wording)), t.code))
    # strictly increasing: document order, and no two targets share a phrase
    assert all(a[0] < b[0] for a, b in zip(positions, positions[1:], strict=False)), positions


# ---------------------------------------------------------------- source clauses


@pytest.mark.django_db
def test_every_clause_occurs_in_the_source(seeded, flat):
    plan = seeded
    assert plan.source_clause and nows(plan.source_clause) in flat
    for model in (Department, Pillar, Action, TargetGroup, Target, ReportedFigure):
        for obj in model.objects.all():
            assert obj.source_clause, obj
            assert nows(obj.source_clause) in flat, obj
            assert "\n" not in obj.source_clause, obj
    for figure in ReportedFigure.objects.all():
        assert nows(figure.section) in flat, figure.code
    for department in Department.objects.all():
        short = department.name.removesuffix("镇").removesuffix("街道")
        assert short in department.source_clause, department.name


# ---------------------------------------------------------------- 2023 results

# code: (section, name, comparator, value, scale, unit, continued_by)
FIGURES = {
    "R01": (
        "争创国家级经济技术开发区 争做全市高质量发展强劲活跃增长极",
        "“2023中国省级开发区高质量发展百强榜”全国排名",
        "第",
        "1",
        1,
        "名",
        None,
    ),
    "R02": ("产业发展提速快进", "新能源领域规上企业产值", "", "236.6", 100000000, "元", None),
    "R05": ("产业发展提速快进", "重点项目签约金额", "", "212.58", 100000000, "元", None),
    "R07": ("产业发展提速快进", "新增“四上”单位完成率全市排名", "前", "3", 1, "名", None),
    "R09": ("“三改”工作持续深化", "新建高标准厂房", "", "165", 10000, "平方米", None),
    "R16": ("打造平台 培育创新主体", "有效高新技术企业数", "预计超", "490", 1, "家", None),
    "R22": ("交通基础设施建设提档提速", "新增通车里程", "", "15.5", 1, "公里", None),
    "R24": ("城乡品质齐头并进", "东方新城开工重点项目总投资", "", "121", 100000000, "元", None),
    "R27": ("城乡品质齐头并进", "建成高标准农田", "", "1.3", 10000, "亩", None),
    "R28": ("城乡品质齐头并进", "新建污水管网", "", "15", 1, "公里", None),
    "R29": ("城乡品质齐头并进", "新建改建农村公厕", "", "25", 1, "座", None),
    "R30": ("打响“民生名片”", "投用学校", "", "10", 1, "所", None),
    "R32": ("打响“民生名片”", "养老助餐点", "", "16", 1, "家", None),
    "R33": ("打响“民生名片”", "助餐点服务老年人", "", "10.6", 10000, "人次", None),
    "R35": ("打响“民生名片”", "城镇新增就业", "", "1.1", 10000, "人", None),
    "R36": ("打响“民生名片”", "失业再就业", "", "3456", 1, "人", "P7.1"),
    "R37": ("打造“青年友好”型开发区", "累计建成人才公寓", "", "11713", 1, "套", None),
    "R39": ("打造“青年友好”型开发区", "入围省“双创计划”的人才团队", "", "1", 1, "个", None),
}


@pytest.mark.django_db
def test_figure_values(seeded):
    got = {
        f.code: (
            f.section,
            f.name,
            f.comparator,
            f.value,
            f.scale,
            f.unit,
            f.continued_by.code if f.continued_by else None,
        )
        for f in ReportedFigure.objects.filter(plan=seeded, year=2023, code__in=FIGURES)
    }
    expected = {
        code: (section, name, comparator, Decimal(value), scale, unit, continued_by)
        for code, (section, name, comparator, value, scale, unit, continued_by) in FIGURES.items()
    }
    assert got == expected


@pytest.mark.django_db
def test_figure_pairings(seeded):
    pairs = dict(
        ReportedFigure.objects.filter(continued_by__isnull=False).values_list("code", "continued_by__code")
    )
    # Only like for like continues: 失业再就业 3456 人 → 0.3 万人.
    assert pairs == {"R36": "P7.1"}
    assert Target.objects.get(code="P7.1").earlier_results.get().value == Decimal(3456)
    related = dict(
        ReportedFigure.objects.filter(related_to__isnull=False).values_list("code", "related_to__code")
    )
    assert related == {"R09": "A3.2", "R28": "P9.3", "R29": "P9.6", "R32": "P4.5"}


@pytest.mark.django_db
def test_figures_come_from_their_clause(seeded):
    codes = list(ReportedFigure.objects.order_by("order").values_list("code", flat=True))
    assert codes == [f"R{i:02d}" for i in range(1, 32)] + ["R41"] + [f"R{i:02d}" for i in range(32, 41)]
    for f in ReportedFigure.objects.exclude(code="R41"):
        assert f.year == 2023
        assert f.name and f.section and f.unit, f.code
        number = plain(f.value)
        if f.unit == "名":  # ranks: 第一, 前三
            assert {"1": "第一", "3": "前三"}[number] in f.source_clause, f.code
        else:
            assert re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.])", f.source_clause), f.code
        if f.comparator and f.unit != "名":  # 预计有效高企数超490家 → 预计 + 超490
            assert f"{f.comparator.removeprefix('预计')}{number}" in f.source_clause, f.code
            assert not f.comparator.startswith("预计") or "预计" in f.source_clause, f.code


@pytest.mark.django_db
def test_every_2023_number_is_a_figure(seeded, source):
    """Nothing dropped: each number reported for 2023 is some figure's value."""
    review = re.search(r"^2023年,常州经开区顶住外部压力.*$", source, re.M).group(0)
    results = source[source.index("### 新能源规上企业产值") :]
    values = {plain(v) for v in ReportedFigure.objects.exclude(value=None).values_list("value", flat=True)}
    not_figures = {"2023", "312", "232"}  # years and road names (2023年秋季, 312国道, 232省道)
    numbers = NUMBER.findall(review) + NUMBER.findall(results)
    assert len(numbers) == 49
    for number in numbers:
        assert number in values | not_figures, number
    # And as a multiset: one figure per number written in the text, plus the two numbers
    # written only in a headline (165万平方米, 10所学校), plus the four ranks (第一 ×2, 前三 ×2).
    # Headlines that repeat a number of the text below them (236.6亿元, 220家 …) add nothing.
    lines = [review, *results.split("\n")]
    in_text = [n for line in lines if not line.startswith("#") for n in NUMBER.findall(line)]
    figure_clauses = set(ReportedFigure.objects.values_list("source_clause", flat=True))
    headline_only = [
        n
        for line in lines
        if line.startswith("#") and line.lstrip("# ") in figure_clauses
        for n in NUMBER.findall(line)
    ]
    assert headline_only == ["165", "10"]
    expected = Counter(n for n in in_text if n not in not_figures)
    expected.update(headline_only)
    expected.update(["1", "1", "3", "3"])
    expected.subtract(["8"])  # "8组数据": the article's count of its data groups, not a result
    figures = ReportedFigure.objects.exclude(value=None).values_list("value", flat=True)
    assert Counter(plain(v) for v in figures) == expected
    assert "8组数据" in results
    assert ReportedFigure.objects.filter(value=8).count() == 2  # 8个项目拿地即开工, 8个老旧小区


# ---------------------------------------------------------------- corrections from the audit


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("figure", "target"),
    [("R32", "P4.5"), ("R29", "P9.6"), ("R09", "A3.2"), ("R28", "P9.3")],
)
def test_unlike_measures_are_related_context_not_continuations(seeded, client, figure, target):
    """16家养老助餐点 is a running total, 新增3处 an increment; 新建改建农村公厕25座 counts more
    than 新建三类以上18座; 新建高标准厂房 is not 新投放; 新建污水管网 is wider than 城镇污水管网."""
    f = ReportedFigure.objects.get(code=figure)
    assert f.continued_by is None
    assert f.related_to.code == target
    assert not Target.objects.get(code=target).earlier_results.exists()
    page = client.get(f"/targets/{target}/").content.decode()
    assert "相关的往年情况" in page and "往年成绩" not in page and f.name in page


@pytest.mark.django_db
def test_like_for_like_stays_a_continuation(seeded, client):
    assert ReportedFigure.objects.get(code="R36").continued_by.code == "P7.1"
    page = client.get("/").content.decode()
    assert "失业再就业" in page
    for name in ("养老助餐点", "新建改建农村公厕", "新建高标准厂房", "新建污水管网"):
        assert f"{name} <br>" not in page  # not among the 2023 → 2024 pairs


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "group", "wording", "folded_from"),
    [
        ("A3.2a", "A3.2", "加快在建项目建设", "A3.2"),
        ("P3.0", "P3", "开展“健康满格”家庭医生签约服务", "P3.1"),
        ("P6.0", "P6", "完善临时救助主动发现机制,政策内应救尽救", "P6.1"),
    ],
)
def test_qualitative_commitments_are_their_own_targets(seeded, flat, code, group, wording, folded_from):
    target = Target.objects.get(code=code)
    assert (target.kind, target.group.code, target.wording) == ("milestone", group, wording)
    assert nows(wording) in flat
    assert wording not in Target.objects.get(code=folded_from).source_clause
    assert target.order < Target.objects.get(code=folded_from).order


@pytest.mark.django_db
def test_village_planning_coverage_is_a_milestone(seeded):
    target = Target.objects.get(code="A4.3")
    assert (target.kind, target.target_value, target.unit) == ("milestone", None, "")


@pytest.mark.django_db
def test_no_major_accident_has_no_invented_unit(seeded):
    target = Target.objects.get(code="A6.1")
    assert (target.kind, target.target_value, target.unit) == ("at_most", Decimal(0), "")
    assert "起" not in target.source_clause


@pytest.mark.django_db
def test_the_qualitative_2023_education_result_is_recorded(seeded, flat):
    figure = ReportedFigure.objects.get(code="R41")
    assert figure.name == "学前教育普及普惠和义务教育均衡发展达标率位列全省第一方阵"
    assert figure.value is None and figure.year == 2023
    assert nows(figure.name) in flat and nows(figure.name) in nows(figure.source_clause)


@pytest.mark.django_db
def test_migration_0008_brings_a_database_seeded_before_the_audit_to_the_corrected_seed(seeded):
    """Put the corrected seed back as the old seed had it, run the migration's function, and
    compare every target and figure with the corrected fixtures (and run it again: no-op)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("goals.migrations.0008_seed_corrections")

    def snapshot():
        targets = Target.objects.order_by("order").values_list(
            "code", "order", "kind", "target_value", "unit", "name", "source_clause", "group__code"
        )
        figures = ReportedFigure.objects.order_by("order").values_list(
            "code", "order", "value", "continued_by__code", "related_to__code"
        )
        return list(targets), list(figures)

    corrected = snapshot()
    for code, target_code in migration.UNLIKE.items():
        ReportedFigure.objects.filter(code=code).update(
            continued_by=Target.objects.get(code=target_code), related_to=None
        )
    for code, *_rest in migration.NEW_TARGETS:
        order = Target.objects.get(code=code).order
        Target.objects.filter(code=code).delete()
        Target.objects.filter(order__gt=order).update(order=F("order") - 1)
    for code, (old, _new) in migration.CLAUSES.items():
        Target.objects.filter(code=code).update(source_clause=old)
    Target.objects.filter(code="A4.3").update(
        kind="level", target_value=100, unit="%", name="重点村庄规划编制覆盖率"
    )
    Target.objects.filter(code="A6.1").update(unit="起")
    order = ReportedFigure.objects.get(code="R41").order
    ReportedFigure.objects.filter(code="R41").delete()
    ReportedFigure.objects.filter(order__gt=order).update(order=F("order") - 1)
    assert Target.objects.count() == 113 and ReportedFigure.objects.count() == 40
    assert snapshot() != corrected

    migration.correct(apps, None)
    assert snapshot() == corrected
    migration.correct(apps, None)
    assert snapshot() == corrected
