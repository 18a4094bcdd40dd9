"""The assignment of duties (分工方案): the workbook (export, read, all or nothing), the
commands export_duties / import_duties, the admin's bulk action and workbook page, the
public target page (lead unit and 分管领导, never the contact) and a leader's workspace."""

from __future__ import annotations

import importlib
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from openpyxl import load_workbook

from goals.accounts.permissions import ADMIN, ensure_roles
from goals.admin import audit_text
from goals.models import AuditEntry, Department, Leader, Target
from goals.workbooks import duties
from goals.workbooks.safety import Refused
from tests.builders import make_user
from tests.personas import as_user

XLSX_ROWS = {"code": 1, "lead": 3, "co": 4, "leader": 5, "contact_name": 6, "contact_phone": 7}


@pytest.fixture
def people(seeded):
    ensure_roles()
    chief = make_user("wang", first_name="王分管")
    leader = Leader.objects.create(name="王某某", title="管委会副主任", user=chief)
    other = Leader.objects.create(name="李某某", title="管委会副主任")
    boss = make_user("duties-admin", is_staff=True)
    boss.groups.add(Group.objects.get(name=ADMIN))
    return {"plan": seeded, "leader": leader, "other": other, "chief": chief, "admin": boss}


def filled(plan, rows: dict[str, dict]) -> bytes:
    """The exported workbook with some rows' cells changed (by code)."""
    wb = load_workbook(io.BytesIO(duties.export(plan)))
    ws = wb.active
    where = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for code, values in rows.items():
        row = where.get(code)
        if row is None:  # a new row (an unknown code)
            row = ws.max_row + 1
            ws.cell(row, 1, code)
        for key, value in values.items():
            ws.cell(row, XLSX_ROWS[key], value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_export_lists_every_target_with_chinese_headers(people):
    ws = load_workbook(io.BytesIO(duties.export(people["plan"]))).active
    assert ws.title == "2024 分工方案"
    assert [c.value for c in ws[1]] == [
        "编号",
        "名称",
        "牵头单位",
        "配合单位",
        "分管领导",
        "联系人",
        "联系电话",
    ]
    assert ws.max_row - 1 == Target.objects.filter(plan=people["plan"]).count() == 116
    lists = {str(v.sqref): v.formula1 for v in ws.data_validations.dataValidation}
    assert lists["C2:C117"].startswith('"') and "遥观镇" in lists["C2:C117"]
    assert lists["E2:E117"] == '"王某某,李某某"' or lists["E2:E117"] == '"李某某,王某某"'


def test_it_assigns_duties_from_the_workbook_and_audits_each_target(people):
    plan = people["plan"]
    data = filled(
        plan,
        {
            "P1.3": {
                "lead": "遥观镇",
                "co": "横林镇、丁堰街道",
                "leader": "王某某",
                "contact_name": "张三",
                "contact_phone": "0519-8888 1234",
            },
            "P4.2": {"lead": "潞城街道", "leader": "李某某(管委会副主任)"},
        },
    )
    reading = duties.read(data)
    assert [r.target.code for r in reading.changed] == ["P1.3", "P4.2"]
    assert duties.apply(reading, people["admin"], by="测试") == 2
    target = Target.objects.get(plan=plan, code="P1.3")
    assert target.lead_department.name == "遥观镇" and target.leader == people["leader"]
    assert sorted(target.co_departments.values_list("name", flat=True)) == ["丁堰街道", "横林镇"]
    assert (target.contact_name, target.contact_phone, target.revision) == ("张三", "0519-8888 1234", 1)
    entry = AuditEntry.objects.get(target=target, action=AuditEntry.Action.ASSIGN)
    assert entry.actor == people["admin"] and entry.changes["by"] == "测试"
    assert entry.changes["lead_department"] == [None, "遥观镇"]
    assert entry.changes["leader"] == [None, "王某某(管委会副主任)"]
    assert "分管领导:— → 王某某(管委会副主任)" in audit_text.lines(entry.changes)
    assert "途径:测试" in audit_text.lines(entry.changes)
    assert Target.objects.get(plan=plan, code="P4.2").leader == people["other"]
    # The same workbook again changes nothing and records nothing.
    assert duties.apply(duties.read(data), people["admin"], by="测试") == 0
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ASSIGN).count() == 2


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"X9.9": {"lead": "遥观镇"}}, "第 118 行 A 列(编号):2024 年计划中没有编号为「X9.9」的目标。"),
        ({"P1.3": {"lead": "火星镇"}}, "C 列(牵头单位):没有名为「火星镇」的单位。"),
        ({"P1.3": {"co": "横林镇、木星街道"}}, "D 列(配合单位):没有名为「木星街道」的单位。"),
        ({"P1.3": {"lead": "横林镇", "co": "横林镇"}}, "「横林镇」已是牵头单位"),
        ({"P1.3": {"leader": "赵某某"}}, "E 列(分管领导):没有名为「赵某某」的分管领导"),
        ({"P1.3": {"contact_phone": "call me"}}, "G 列(联系电话):「call me」不是有效的电话号码。"),
        ({"P1.3": {"lead": "=A1"}}, "含有公式"),
    ],
)
def test_a_bad_cell_is_refused_with_its_row_and_column_and_nothing_changes(people, row, message):
    plan = people["plan"]
    good = {"P4.2": {"lead": "潞城街道"}}
    data = filled(plan, {**good, **row})
    with pytest.raises(duties.ImportFailed) as failure:
        duties.read(data)
    assert any(message in problem for problem in failure.value.problems), failure.value.problems
    assert not Target.objects.filter(plan=plan, lead_department__isnull=False).exists()


def test_a_code_twice_and_a_foreign_sheet_are_refused(people):
    plan = people["plan"]
    wb = load_workbook(io.BytesIO(duties.export(plan)))
    ws = wb.active
    ws.append(["P1.3", "", "遥观镇"])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(duties.ImportFailed, match="已在第 .* 行出现过"):
        duties.read(out.getvalue())
    ws.title = "Sheet1"
    wb.save(out := io.BytesIO())
    with pytest.raises(Refused, match="工作表名称应为"):
        duties.read(out.getvalue())
    with pytest.raises(Refused):
        duties.read(b"code,lead\nP1.3,x\n")


def test_the_commands_export_check_and_import(people, tmp_path):
    path = tmp_path / "duties.xlsx"
    call_command("export_duties", "2024", str(path), stdout=io.StringIO())
    path.write_bytes(filled(people["plan"], {"P1.3": {"lead": "遥观镇", "leader": "王某某"}}))
    out = io.StringIO()
    call_command("import_duties", str(path), "--dry-run", stdout=out)
    assert "检查通过(未保存)" in out.getvalue() and "1 个目标将调整分工" in out.getvalue()
    assert "P1.3 牵头单位:— → 遥观镇;分管领导:— → 王某某(管委会副主任)" in out.getvalue()
    assert Target.objects.get(plan=people["plan"], code="P1.3").lead_department is None
    call_command("import_duties", str(path), stdout=(out := io.StringIO()))
    assert "1 个目标调整了分工" in out.getvalue()
    assert Target.objects.get(plan=people["plan"], code="P1.3").lead_department.name == "遥观镇"
    path.write_bytes(filled(people["plan"], {"P1.4": {"lead": "无此单位"}}))
    with pytest.raises(CommandError, match="没有名为「无此单位」的单位"):
        call_command("import_duties", str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="没有 1999 年的工作计划"):
        call_command("export_duties", "1999", str(path), stdout=io.StringIO())


def test_the_admin_bulk_action_sets_duties_on_the_selected_targets(people):
    plan, client = people["plan"], as_user(people["admin"])
    picked = list(Target.objects.filter(plan=plan, code__in=["P1.3", "P4.1", "P8.1"]).order_by("code"))
    town, helper = Department.objects.get(name="遥观镇"), Department.objects.get(name="横林镇")
    url = reverse("admin:goals_target_changelist")
    base = {"action": "assign_duties", "_selected_action": [t.pk for t in picked]}
    form = client.post(url, base)
    assert form.status_code == 200 and "批量设置分工" in form.content.decode()
    refused = client.post(url, {**base, "apply": "1", "co_mode": "add", "contact_phone": "bad phone"})
    assert "电话号码只能包含" in refused.content.decode()
    assert not Target.objects.filter(pk__in=[t.pk for t in picked], lead_department__isnull=False).exists()
    done = client.post(
        url,
        {
            **base,
            "apply": "1",
            "lead": town.pk,
            "co": [helper.pk],
            "co_mode": "add",
            "leader": people["leader"].pk,
            "contact_name": "张三",
        },
    )
    assert done.status_code == 302
    for target in Target.objects.filter(pk__in=[t.pk for t in picked]):
        assert target.lead_department == town and target.leader == people["leader"]
        assert list(target.co_departments.all()) == [helper] and target.contact_name == "张三"
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.ASSIGN, actor=people["admin"])
    assert entries.count() == 3 and all(e.changes["by"] == "批量分工" for e in entries)


def test_the_admin_workbook_page_previews_then_confirms(people):
    plan, client = people["plan"], as_user(people["admin"])
    page = reverse("admin:goals_plan_duties", args=[2024])
    download = client.get(reverse("admin:goals_plan_duties_export", args=[2024]))
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxml")
    bad = filled(plan, {"P1.3": {"lead": "火星镇"}})
    answer = client.post(page, {"file": io.BytesIO(bad)}, format="multipart")
    assert "没有名为「火星镇」的单位" in answer.content.decode()
    good = filled(plan, {"P1.3": {"lead": "遥观镇"}})
    upload = io.BytesIO(good)
    upload.name = "duties.xlsx"
    preview = client.post(page, {"file": upload})
    html = preview.content.decode()
    assert "1 个目标将调整分工" in html and "遥观镇" in html
    assert Target.objects.get(plan=plan, code="P1.3").lead_department is None
    digest = preview.context["digest"]
    assert client.post(page, {"confirm": "1", "digest": "stale"}).status_code == 302
    assert Target.objects.get(plan=plan, code="P1.3").lead_department is None
    assert client.post(page, {"confirm": "1", "digest": digest}).status_code == 302
    assert Target.objects.get(plan=plan, code="P1.3").lead_department.name == "遥观镇"
    # An official (no admin rights) cannot reach the page.
    assert as_user(make_user("nobody")).get(page).status_code == 302


def test_the_target_page_shows_lead_and_leader_but_never_the_contact(people, client):
    target = Target.objects.get(plan=people["plan"], code="P1.3")
    duties.assign(
        None,
        target,
        by="测试",
        lead=Department.objects.get(name="遥观镇"),
        leader=people["leader"],
        contact_name="张联系",
        contact_phone="13800000000",
    )
    html = client.get(reverse("target", args=["P1.3"])).content.decode()
    assert "遥观镇" in html and "王某某(管委会副主任)" in html
    assert "张联系" not in html and "13800000000" not in html


def test_a_leaders_workspace_lists_their_targets_with_contacts(people):
    plan = people["plan"]
    for code in ("P1.3", "P4.1"):
        duties.assign(None, Target.objects.get(plan=plan, code=code), by="测试", leader=people["leader"])
    duties.assign(
        None,
        Target.objects.get(plan=plan, code="P1.3"),
        by="测试",
        contact_name="张联系",
        contact_phone="0519-1",
    )
    duties.assign(None, Target.objects.get(plan=plan, code="P8.1"), by="测试", leader=people["other"])
    client = as_user(people["chief"])
    assert client.get(reverse("workspace")).url == reverse("leader_workspace")
    response = client.get(reverse("leader_workspace"))
    html = response.content.decode()
    codes = [row["target"].code for row in response.context["rows"]]
    assert codes == ["P1.3", "P4.1"] and "张联系" in html and "我分管的目标" in html
    assert as_user(people["admin"]).get(reverse("leader_workspace")).status_code == 403


def test_the_migration_gives_the_admin_role_the_new_models(db):
    ensure_roles()
    group = Group.objects.get(name=ADMIN)
    new = Permission.objects.filter(
        content_type__app_label="goals", content_type__model__in=["leader", "channel", "delivery"]
    )
    group.permissions.remove(*new)
    migration = importlib.import_module("goals.migrations.0010_duties_and_channels")
    state = MigrationExecutor(connection).loader.project_state(("goals", "0010_duties_and_channels"))
    migration.grant_admins(state.apps, None)
    granted = set(group.permissions.filter(pk__in=new).values_list("codename", flat=True))
    assert {"change_leader", "add_channel", "view_delivery"} <= granted and len(granted) == 12
