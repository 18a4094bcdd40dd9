"""从文本新建计划: the published text → the admin's preview → a draft plan (and the same
through `propose_plan PATH --year YEAR --create`): the mapping, who may, forged and stale
forms, bad uploads, all or nothing, and nothing public until published."""

from __future__ import annotations

import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from goals.accounts.permissions import REVIEWER
from goals.models import AuditEntry, Plan, Target, TargetGroup
from goals.planning import from_text
from goals.proposals.parser import propose
from tests.personas import as_user, staff_user

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "docs" / "samples" / "2025-民生实事.txt"
TEXT = SAMPLE.read_text(encoding="utf-8")
URL = "/admin/goals/plan/from-text/"


class Fields(HTMLParser):
    """The fields of the preview's confirm form, as a browser without JavaScript sends them."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, str] = {}
        self._select = self._textarea = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._in_form = a.get("id") == "confirm-form"
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "file"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.data[name] = "on"
                return
            self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in a or self._select not in self.data):
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def fields(html: str) -> dict[str, str]:
    scraper = Fields()
    scraper.feed(html)
    return scraper.data


def row_of(data: dict, name: str) -> str:
    """The formset prefix (rows-3) of the row named `name`."""
    for key, value in data.items():
        if key.endswith("-name") and value == name:
            return key.removesuffix("-name")
    raise AssertionError(f"no row named {name}: {sorted(v for k, v in data.items() if k.endswith('-name'))}")


@pytest.fixture
def boss(world):
    """An admin (管理员 group, staff): may add and publish plans."""
    return staff_user("boss", "管理员", is_staff=True)


def preview(client, text=TEXT, year="2025", **extra):
    return client.post(URL, {"year": year, "title": "", "source": "", "text": text, "preview": "1", **extra})


# --- the mapping ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_maps_the_proposal_to_a_draft_plan_with_every_clause(world):
    proposed = propose(TEXT, year=2025)
    outcome = from_text.create_draft(
        proposed, year=2025, title="2025年民生实事", text=TEXT, source="样例", actor=None, by="test"
    )
    plan = Plan.objects.get(year=2025)
    assert outcome.plan == plan and plan.status == Plan.Status.DRAFT
    assert plan.source_text == TEXT and plan.source == "样例" and plan.title == "2025年民生实事"
    projects = list(TargetGroup.objects.filter(plan=plan).order_by("code").values_list("code", "name"))
    assert projects[0] == ("P1", "养老服务") and len(projects) == 5
    targets = {t.code: t for t in Target.objects.filter(plan=plan)}
    assert len(targets) == len(proposed.all_targets()) == 11
    meals = targets["P1.2"]
    assert (meals.target_value, meals.scale, meals.unit) == (2, 10000, "人次")
    assert meals.source_clause == "新建社区长者食堂5家,为80周岁以上老人提供助餐服务2万人次"
    assert meals.wording == "为80周岁以上老人提供助餐服务2万人次"
    lifts = next(t for t in targets.values() if t.name == "其中加装电梯")
    assert lifts.parent.name == "完成老旧小区改造" and lifts.code == f"{lifts.parent.code}.1"
    assert all(t.source_clause and t.wording for t in targets.values())
    entry = AuditEntry.objects.get(changes__plan=2025)
    assert entry.changes["targets"] == 11 and entry.changes["by"] == "test"


@pytest.mark.django_db
def test_edited_rows_keep_their_totals_and_a_row_whose_total_is_dropped_stands_alone(world):
    proposed = propose(TEXT, year=2025)
    groups, rows = from_text.groups_of(proposed), from_text.rows_of(proposed)
    total = next(r for r in rows if r["name"] == "完成老旧小区改造")
    kept = [r for r in rows if r is not total]
    plan = from_text.plan_of(groups, kept, year=2025, title="t")
    lifts = next(t for t in plan.all_targets() if t.name == "其中加装电梯")
    assert lifts in plan.groups[3].targets  # on its own now
    changes = from_text.changes_against(rows, kept, [total["ref"]])
    assert changes == {"rejected": ["完成老旧小区改造"]}


# --- the command ---------------------------------------------------------------------------


def create(*args) -> str:
    out = io.StringIO()
    call_command("propose_plan", *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_creates_the_same_draft_and_refuses_a_year_that_has_a_plan(world):
    message = create(SAMPLE, "--year", 2025, "--create")
    assert "已建立 2025 年计划草稿" in message and "目标 11 个" in message
    plan = Plan.objects.get(year=2025)
    assert plan.status == Plan.Status.DRAFT and plan.source_text == TEXT
    assert plan.source == SAMPLE.name and Target.objects.filter(plan=plan).count() == 11
    with pytest.raises(CommandError, match="2025 年的计划已存在"):
        create(SAMPLE, "--year", 2025, "--create")
    assert Plan.objects.filter(year=2025).count() == 1


@pytest.mark.django_db
def test_the_command_writes_nothing_when_a_file_cannot_be_written(world, tmp_path):
    with pytest.raises(CommandError, match="无法写入"):
        create(SAMPLE, "--year", 2025, "--create", "--json", tmp_path / "missing" / "out.json")
    assert not Plan.objects.filter(year=2025).exists()
    assert not AuditEntry.objects.exists()


# --- who may -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_users_who_may_add_and_publish_plans_open_it(world, boss, reviewer, official_own):
    assert as_user(None).get(URL).status_code == 302  # to the admin's sign-in
    assert as_user(official_own).get(URL).status_code == 302  # not staff
    staff_reviewer = staff_user("staff-reviewer", REVIEWER, is_staff=True)
    assert as_user(staff_reviewer).get(URL).status_code == 403
    assert as_user(staff_reviewer).post(URL, {"year": "2025", "text": TEXT}).status_code == 403
    page = as_user(boss).get(URL)
    assert page.status_code == 200 and "粘贴原文" in page.content.decode()
    changelist = as_user(boss).get(reverse("admin:goals_plan_changelist")).content.decode()
    assert f'href="{URL}"' in changelist
    staff_reviewer.user_permissions.add(Permission.objects.get(codename="view_plan"))
    assert URL not in as_user(staff_reviewer).get(reverse("admin:goals_plan_changelist")).content.decode()


# --- the preview ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_preview_marks_the_text_and_lists_doubts_first_and_context_apart(world, boss):
    client = as_user(boss)
    response = preview(client)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<mark") == 11 and html.count('<mark class="doubt">') == 2
    assert '<mark class="doubt">开设暑期托管班20</mark>' in html
    names = [v for k, v in fields(html).items() if k.endswith("-name")]
    assert names[:2] == ["开设暑期托管班", "家庭医生签约居民"]  # the doubtful ones first
    assert "没有单位" in html and "可读作水平" in html
    context = html[html.index("作为背景的数字") :]
    assert "80周岁以上" in context and "年龄" in context
    assert not Plan.objects.filter(year=2025).exists()


@pytest.mark.django_db
def test_it_confirms_edits_rejections_and_additions_into_a_draft(world, boss):
    client = as_user(boss)
    data = fields(preview(client).content.decode())
    parking = row_of(data, "新建公共停车位")
    data[f"{parking}-target_value"] = "1200"
    data[f"{row_of(data, '举办招聘会')}-reject"] = "on"
    data.update(
        {
            "rows-11-name": "新增充电桩",
            "rows-11-kind": "at_least",
            "rows-11-target_value": "200",
            "rows-11-unit": "个",
            "rows-11-group": "2",
            "rows-11-scale": "1",
            # Added with the text's own words: its clause is found in the text.
            "rows-12-name": "招聘会",
            "rows-12-kind": "milestone",
            "rows-12-wording": "举办招聘会12场",
            "rows-12-group": "4",
            "rows-12-scale": "1",
        }
    )
    response = client.post(URL, {**data, "confirm": "1"})
    plan = Plan.objects.get(year=2025)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:goals_plan_change", args=[plan.pk])
    assert plan.status == Plan.Status.DRAFT and plan.source_text == TEXT
    targets = {t.name: t for t in Target.objects.filter(plan=plan)}
    assert len(targets) == 12 and "举办招聘会" not in targets
    assert targets["新建公共停车位"].target_value == 1200
    added = targets["新增充电桩"]
    assert added.group.name == "交通出行" and added.wording == "新增充电桩" and added.source_clause == ""
    assert targets["招聘会"].source_clause == "家庭医生签约居民达5万人,举办招聘会12场"
    assert targets["新建公共停车位"].source_clause == "新建公共停车位约1000个,城市公交准点率达到90%"
    entry = AuditEntry.objects.get(changes__plan=2025)
    assert entry.actor == boss
    assert entry.changes["rejected"] == ["举办招聘会"] and entry.changes["edited"] == ["新建公共停车位"]
    assert entry.changes["extra"] == ["新增充电桩", "招聘会"]
    page = client.get(response["Location"]).content.decode()
    assert "已建立 2025 年计划草稿" in page
    # A second submit of the same form finds nothing to confirm: still one plan.
    again = client.post(URL, {**data, "confirm": "1"}, follow=True)
    assert "预览已过期" in again.content.decode()
    assert Plan.objects.filter(year=2025).count() == 1


@pytest.mark.django_db
def test_errors_in_the_table_reshow_the_preview_by_row(world, boss):
    client = as_user(boss)
    data = fields(preview(client).content.decode())
    meals = row_of(data, "新建社区长者食堂")
    data[f"{meals}-kind"] = "milestone"
    data[f"{row_of(data, '新增公办幼儿园学位')}-target_value"] = "abc"
    data[f"{row_of(data, '城市公交准点率')}-name"] = ""
    response = client.post(URL, {**data, "confirm": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "里程碑目标没有目标值" in html and "输入一个数字" in html and "请填写名称" in html
    assert "表格中有需要改正的地方" in html and html.count("<mark") == 11
    assert not Plan.objects.filter(year=2025).exists()


# --- forged and stale forms ----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.update(token="forged"),
        lambda d: d.update(digest="0" * 64),
        lambda d: d.update({"rows-0-ref": "999"}),
        lambda d: d.update({"rows-1-ref": d["rows-0-ref"]}),
        lambda d: d.update({"rows-0-ref": "x"}),
        lambda d: d.update({"rows-TOTAL_FORMS": "1"}),
        lambda d: d.update({"rows-TOTAL_FORMS": "5000"}),
        lambda d: d.pop("rows-INITIAL_FORMS"),
        lambda d: d.update({"rows-0-group": "99"}),
        lambda d: d.update({"rows-0-target_value": "NaN"}),
        lambda d: d.update({"rows-0-target_value": "1e400"}),
        lambda d: d.update({"rows-0-scale": "7"}),
    ],
    ids=[
        "token",
        "digest",
        "unknown-ref",
        "twice",
        "bad-ref",
        "fewer",
        "many",
        "management",
        "group",
        "nan",
        "huge",
        "scale",
    ],
)
def test_forged_forms_are_refused_and_create_nothing(world, boss, tamper):
    client = as_user(boss)
    data = fields(preview(client).content.decode())
    tamper(data)
    response = client.post(URL, {**data, "confirm": "1"}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "预览已过期" in html or "不一致" in html or "需要改正" in html
    assert not Plan.objects.filter(year=2025).exists() and not Target.objects.filter(plan__year=2025).exists()


@pytest.mark.django_db
def test_a_preview_replaced_in_another_window_is_refused(world, boss):
    client = as_user(boss)
    first = fields(preview(client).content.decode())
    preview(client, text=TEXT.replace("5家", "6家"))  # a second tab previews another text
    response = client.post(URL, {**first, "confirm": "1"}, follow=True)
    assert "预览已过期或已被替换" in response.content.decode()
    assert not Plan.objects.filter(year=2025).exists()


@pytest.mark.django_db
def test_a_failure_midway_leaves_nothing(world, boss, monkeypatch):
    client = as_user(boss)
    data = fields(preview(client).content.decode())

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(from_text.AuditEntry.objects, "create", broken)
    with pytest.raises(RuntimeError):
        client.post(URL, {**data, "confirm": "1"})
    assert not Plan.objects.filter(year=2025).exists()
    assert not Target.objects.filter(plan__year=2025).exists()
    assert not TargetGroup.objects.filter(plan__year=2025).exists()


@pytest.mark.django_db
def test_a_plan_made_meanwhile_for_the_year_is_reported_in_the_preview(world, boss):
    client = as_user(boss)
    data = fields(preview(client).content.decode())
    Plan.objects.create(year=2025, title="别人先建的", status=Plan.Status.DRAFT)
    response = client.post(URL, {**data, "confirm": "1"})
    assert response.status_code == 200 and "2025 年的计划已存在" in response.content.decode()
    assert Plan.objects.get(year=2025).title == "别人先建的"


# --- nothing public until published --------------------------------------------------------


def test_the_drafts_targets_are_on_no_public_page_open_data_or_feed(seeded, client, settings):
    settings.PUBLIC_YEAR_REDIRECT = True
    create(SAMPLE, "--year", 2025, "--create")
    names = list(Target.objects.filter(plan__year=2025).values_list("name", flat=True))
    unique = ["暑期托管班", "招聘会", "准点率", "家庭医生签约居民", "长者食堂"]  # not in the 2024 plan
    assert all(any(word in name for name in names) for word in unique)
    pages = [
        "/",
        "/2024/",
        "/2024/targets/",
        "/data/2024/targets.json",
        "/data/2024/targets.csv",
        "/data/updates.atom",
        "/2024/league/",
        "/2024/departments/",
    ]
    for url in pages:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", "replace")
        assert not [word for word in unique if word in text] and "/2025/" not in text, url
    for url in [
        "/2025/",
        "/2025/targets/",
        "/2025/targets/P1.1/",
        "/2025/projects/P1/",
        "/data/2025/targets.json",
        "/data/2025/targets.csv",
        "/data/2025/reports.csv",
    ]:
        assert client.get(url).status_code == 404, url


# --- valid HTML ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pages_are_valid_html(world, boss, tmp_path):
    from tests.test_html_valid import nu_errors

    client = as_user(boss)
    pages = {
        "start": client.get(URL),
        "refused": preview(client, text="今天天气很好。"),
        "preview": preview(client),
    }
    data = fields(pages["preview"].content.decode())
    data[f"{row_of(data, '新建社区长者食堂')}-kind"] = "milestone"
    pages["row-errors"] = client.post(URL, {**data, "confirm": "1"})
    for name, response in pages.items():
        assert response.status_code == 200, name
        (tmp_path / f"{name}.html").write_bytes(response.content)
    assert nu_errors(tmp_path) == []


@pytest.mark.django_db
def test_the_whole_2024_text_goes_through_the_admin_as_another_year(world, boss):
    """112 proposals: a table of over 1,000 fields is accepted (DATA_UPLOAD_MAX_NUMBER_FIELDS)."""
    client = as_user(boss)
    text = (ROOT / "fixtures" / "source" / "plan-2024.md").read_text(encoding="utf-8")
    data = fields(preview(client, text=text, year="2030").content.decode())
    assert len(data) > 1000
    response = client.post(URL, {**data, "confirm": "1"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    plan = Plan.objects.get(year=2030)
    assert plan.status == Plan.Status.DRAFT and Target.objects.filter(plan=plan).count() == 112
    assert not Target.objects.filter(plan=plan, source_clause="").exists()
