"""The plan parser (goals.proposals): numbers, comparators, context numbers, milestones,
traditional characters, several targets in one clause, 其中 parts, groups. Pure: no database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goals.proposals.clauses import Context, read
from goals.proposals.numbers import number_value, quantities
from goals.proposals.parser import propose
from goals.proposals.text import paragraphs


def one(clause: str):
    """The single target read from a clause."""
    found = read(clause, [])
    assert len(found) == 1, [(p.kind, p.target_value, p.unit) for p in found]
    return found[0]


def targets(text: str) -> list:
    return propose(text).all_targets()


@pytest.mark.parametrize(
    ("written", "value"),
    [("3", "3"), ("3.7", "3.7"), ("1,000", "1000"), ("两", "2"), ("十", "10"), ("一千二百", "1200")],
)
def test_number_values(written, value):
    assert number_value(written) == Decimal(value)


@pytest.mark.parametrize(
    ("clause", "value", "unit", "scale"),
    [
        ("新建公共停车位1000个", "1000", "个", 1),
        ("新建公共停车位１０００个", "1000", "个", 1),  # full-width digits (normalised by propose)
        ("新建城镇污水管网3.7公里", "3.7", "公里", 1),
        ("为1.1万名老年人提供居家养老服务", "1.1", "名", 10_000),
        ("发放创业担保贷款1.2亿元", "1.2", "元", 100_000_000),
        ("城镇新增就业5千人", "5000", "人", 1),
        ("新建婴幼儿照护服务驿站两所", "2", "所", 1),
        ("改造背街小巷十条", "10", "条", 1),
        ("新建小型水库一座", "1", "座", 1),
        ("新建110千伏变电站线路12千米", "12", "千米", 1),
        ("保障性租赁住房新开工(筹集)800套(间)", "800", "套(间)", 1),
    ],
)
def test_numbers_scales_and_units(clause, value, unit, scale):
    found = targets(f"一、项目\n{clause}。")
    assert [(t.target_value, t.unit, t.scale) for t in found] == [(Decimal(value), unit, scale)]


def test_a_chinese_one_is_read_with_a_doubt():
    assert "「一」可能不是数量" in one("新建小型水库一座").doubts


@pytest.mark.parametrize(
    ("clause", "kind", "comparator", "value", "upper"),
    [
        ("新建社区食堂不少于10家", "at_least", "不少于", "10", None),
        ("加装电梯30部以上", "at_least", "以上", "30", None),
        ("新增就业超过5000人", "at_least", "超过", "5000", None),
        ("参保率不低于95%", "at_least", "不低于", "95", None),
        ("帮扶300余人", "at_least", "余", "300", None),
        ("重点人群签约率达77%", "level", "达", "77", None),
        ("每千人口拥有托位数达到4.5个", "level", "达到", "4.5", None),
        ("救助150人次左右", "about", "左右", "150", None),
        ("完成常丰河水系整治(约730米)", "about", "约", "730", None),
        ("新增省市优质园2—3所", "range", "—", "2", "3"),
        ("新建学校2-3所", "range", "-", "2", "3"),
        ("新建学校3至5所", "range", "至", "3", "5"),
        ("新建学校3～5所", "range", "~", "3", "5"),
        ("新增养老床位120张至150张", "range", "至", "120", "150"),
        ("事故死亡人数不超过5人", "at_most", "不超过", "5", None),
        ("失业率控制在3%以内", "at_most", "控制在…以内", "3", None),
        ("不发生重特大事故和有影响事故", "at_most", "不发生", "0", None),
        ("高考本科上线率提高2个百分点", "at_least", "提高", "2", None),
    ],
)
def test_comparators_and_kinds(clause, kind, comparator, value, upper):
    found = one(clause.replace("～", "~"))
    assert (found.kind, found.comparator, found.target_value) == (kind, comparator, Decimal(value))
    assert found.target_upper == (Decimal(upper) if upper else None)


def test_reaching_a_count_has_two_readings():
    found = one("新建村级书屋达50个")
    assert found.kind == "at_least"
    assert found.doubts and found.confidence < 0.9


@pytest.mark.parametrize(
    ("clause", "reason"),
    [
        ("2025年完成", "年份或日期"),
        ("青政办发〔2025〕6号", "序号或文号"),
        ("为80周岁以上老年人体检", "年龄"),
        ("为0—3岁婴幼儿家庭提供指导", "年龄"),
        ("专班推动312国道建设", "名称中的数字"),
        ("完成S331改造", "道路或线路名称"),
        ("建成第1—5项标准化改造", "序号或文号"),
        ("实施“十个100”课改行动工程", "名称中的数字"),
        ("新建青山县第二十三小学", "序号或文号"),
        ("第六届人民代表大会", "序号或文号"),
        ("票决产生15件民生实事项目", "清单本身的项数"),
        ("打响“经品优学”“经品健康”“经品文旅”三张名片", "清单本身的项数"),
        ("预计投入资金2.5亿元", "投入资金(背景)"),
        ("预计投入资金2.5亿元,较上年增长120%", "增长率(背景)"),
        ("建设24小时自助服务区", "名称中的数字"),
    ],
)
def test_numbers_that_are_not_targets_are_context(clause, reason):
    found = quantities(clause)
    assert all(not q.is_target for q in found), [(q.text, q.context) for q in found]
    assert reason in {q.context for q in found}


def test_context_numbers_are_reported_never_proposed():
    context: list[Context] = []
    found = read("十大项目预计投入资金2.5亿元,较上年增长120%;新增托位300个", context)
    assert [(p.target_value, p.unit) for p in found] == [(Decimal(300), "个")]
    assert {c.reason for c in context} >= {"投入资金(背景)", "增长率(背景)"}


def test_ten_big_and_list_counts_are_not_targets():
    assert read("壮大“四特三新三港”十大产业", [])[0].kind == "milestone"
    assert read("开展新一轮太湖综合治理“1+7”专项行动", [])[0].kind == "milestone"


@pytest.mark.parametrize(
    "clause",
    [
        "设立常州经开区婚姻登记服务中心,提供婚姻登记服务",
        "完成清正路(横河—东方西路)改扩建工程",
        "建设县应急指挥中心",
    ],
)
def test_qualitative_deliverables_are_milestones(clause):
    found = one(clause)
    assert (found.kind, found.target_value, found.unit) == ("milestone", None, "")


def test_the_works_of_a_project_are_not_targets():
    found = one("完成先行路(五一路)交叉口改善工程,拆除部分场地和杆线迁移,新增先行路一条车道")
    assert found.kind == "milestone"


def test_lead_ins_and_explanations_join_their_task():
    found = read("依托智慧教育云平台,深入推进教育领域数字化建设;以“三标融合”为牵引,全面提升城乡人居环境", [])
    assert [p.kind for p in found] == ["milestone", "milestone"]
    assert found[0].wording.startswith("依托")


def test_several_targets_in_one_clause():
    found = read("新增1家社区长者食堂、3家乡村长者照护之家", [])
    assert [(p.target_value, p.unit) for p in found] == [(Decimal(1), "家"), (Decimal(3), "家")]
    found = read("新增省级普惠托育机构1家、市级普惠托育机构2家", [])
    assert [p.wording for p in found] == ["新增省级普惠托育机构1家", "市级普惠托育机构2家"]
    assert found[1].name == "新增市级普惠托育机构"


def test_totals_carry_their_parts():
    total = one("完成既有住宅电动汽车充电桩50组(其中旧改15个)")
    assert (total.target_value, total.unit) == (Decimal(50), "组")
    assert [(s.target_value, s.unit) for s in total.sub_targets] == [(Decimal(15), "个")]
    found = read("筹集保障性租赁住房2000套,其中新建1200套、改建800套", [])
    assert len(found) == 1
    assert [s.target_value for s in found[0].sub_targets] == [Decimal(1200), Decimal(800)]


def test_traditional_characters_are_read():
    plan = propose(
        "雲溪鎮2025年民生實事項目\n\n（一）老有所享\n新建社區長者食堂3家；為80週歲以上老年人發放高齡津貼約4500人。"
    )
    assert plan.traditional
    assert plan.groups[0].name == "老有所享"
    found = plan.all_targets()
    assert [(t.kind, t.target_value, t.unit) for t in found] == [
        ("at_least", Decimal(3), "家"),
        ("about", Decimal(4500), "人"),
    ]
    assert found[0].wording == "新建社区长者食堂3家"


def test_page_break_whitespace_is_joined():
    text = "交通出行,完成国道大中修\n \n \n工程,新改建农村公路60公里,完成桥梁\n   \n维修8座。"
    assert paragraphs(text) == ["交通出行,完成国道大中修工程,新改建农村公路60公里,完成桥梁维修8座。"]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "一、教育提质\n1.改造学校食堂15所。\n2.新增学位1890个。\n二、健康\n3.建成胸痛救治单元8个。",
            ["教育提质", "健康"],
        ),
        ("(一)老有所享\n新建食堂3家。\n(二)幼有所育\n新增托位200个。", ["老有所享", "幼有所育"]),
        ("项目一:道路提升\n新增路灯150盏。\n项目二:饮水安全\n新建加压站1座。", ["道路提升", "饮水安全"]),
        (
            "1.学前教育扩容。新增学位1080个。\n2.城市停车。新增公共停车位3000个。",
            ["学前教育扩容", "城市停车"],
        ),
        (
            "第一项 托育服务。新增托位400个。\n第二项 健康体检。为老年人体检不少于4万人。",
            ["托育服务", "健康体检"],
        ),
        (
            "一是提升产业能级。新增规上企业10家。\n二是加快城市更新。新建口袋公园3个。",
            ["提升产业能级", "加快城市更新"],
        ),
        (
            "今年项目分别为:幼有善育、学有优教、病有良医。\n幼有善育,新增托位300个。\n学有优教,新增学位2400个。\n病有良医,建成社区医院2家。",
            ["幼有善育", "学有优教", "病有良医"],
        ),
        ("今年办好三件实事:一是新建幼儿园2所;二是新增床位400张;三是建设助餐点15个。", [None, None, None]),
        (
            "▲ 01 教育优先\n◆ 新增学位360个\n◆ 配备校车20辆\n▲ 02 健康守护\n◆ 开展筛查8000人",
            ["教育优先", "健康守护"],
        ),
        (
            "【实事1】托育服务\n新增普惠托位350个。\n【实事2】助餐服务\n新建长者食堂8家。",
            ["托育服务", "助餐服务"],
        ),
        (
            "序号,项目名称,建设内容及目标,责任单位\n1,农村道路,新改建农村道路35公里，改造危桥4座,镇建设办\n2,饮水,更换管网18公里,水利站",
            ["农村道路", "饮水"],
        ),
    ],
)
def test_groups_in_each_style(text, names):
    groups = propose(text).groups
    assert len(groups) == len(names)
    assert [g.name for g in groups if names[0]] == [n for n in names if n]
    assert all(g.targets for g in groups)


def test_a_table_keeps_commas_inside_cells_and_drops_departments():
    text = "序号,项目名称,建设内容及目标,责任单位\n1,农村道路,新改建农村道路35公里，改造危桥4座,镇建设办"
    found = propose(text).all_targets()
    assert [(t.target_value, t.unit) for t in found] == [(Decimal(35), "公里"), (Decimal(4), "座")]
    assert all("建设办" not in t.wording for t in found)


def test_text_outside_the_lists_is_context():
    plan = propose(
        "## 2023 数说精彩\n\n新建污水管网15公里,新建改建农村公厕25座。\n\n一、环境\n新建污水管网3.7公里。"
    )
    assert [t.target_value for t in plan.all_targets()] == [Decimal("3.7")]
    assert {c.text for c in plan.context} >= {"15公里", "25座"}


def test_confidence_and_doubts():
    plan = propose("一、项目\n新增托位200;新建社区食堂不少于10家。")
    unitless, canteens = plan.all_targets()
    assert "没有单位" in unitless.doubts and unitless.confidence < canteens.confidence
    assert 0 <= unitless.confidence <= 1


def test_year_is_guessed_from_the_title():
    assert propose("## 2025年十大民生实事项目\n\n一、项目\n新增托位200个。").year == 2025
    assert propose("一、项目\n新增托位200个。", year=2031).year == 2031


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet="一二三四五六七八九十两万亿千百0123456789.,;:、。()（）“”—-~至第年号岁其中不少于以上约左右达不超过控制在以内新建个家所座%\n ",
        max_size=200,
    )
)
def test_any_text_of_numbers_and_markers_gives_a_proposal(text):
    plan = propose(text)
    for target in plan.all_targets():
        assert 0 <= target.confidence <= 1
        assert target.kind in {"at_least", "range", "about", "level", "at_most", "milestone"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n",
        "没有数字也没有清单",
        "一、\n1.",
        "\x00\x01",
        "〔〕号第" * 50,
        "一" * 100_000,
        "新建1个" * 2000,
    ],
)
def test_any_text_gives_a_proposal(text):
    assert propose(text).groups is not None
