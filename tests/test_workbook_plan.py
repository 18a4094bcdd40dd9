"""The plan workbook: export, import (all or nothing, with a dry run), the round trip
2024 → 2025 → the same cells, the commands and the admin pages."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from goals.models import Department, Plan, ReportedFigure, Target
from goals.workbooks import plan as plan_workbook
from goals.workbooks import plan_import


def cells(data: bytes) -> dict[str, list[list]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def export(year: int) -> bytes:
    return plan_workbook.export(Plan.objects.get(year=year))


def test_it_round_trips_2024_as_2025_to_the_same_cells(seeded, tmp_path):
    town = Department.objects.get(name="遥观镇")
    target = Target.objects.get(plan=seeded, code="P1.3")
    target.lead_department = town
    target.save()
    target.co_departments.add(Department.objects.get(name="横林镇"), Department.objects.get(name="丁堰街道"))
    path_2024, path_2025 = tmp_path / "2024.xlsx", tmp_path / "2025.xlsx"
    call_command("export_plan", "2024", str(path_2024), stdout=io.StringIO())
    call_command("import_plan", str(path_2024), "--year", "2025", stdout=io.StringIO())
    call_command("export_plan", "2025", str(path_2025), stdout=io.StringIO())

    before, after = cells(path_2024.read_bytes()), cells(path_2025.read_bytes())
    assert before["计划"][1] == ["年度", 2024] and after["计划"][1] == ["年度", 2025]
    before["计划"][1] = after["计划"][1] = None
    assert before == after
    plan = Plan.objects.get(year=2025)
    assert Target.objects.filter(plan=plan).count() == Target.objects.filter(plan=seeded).count() == 116
    assert ReportedFigure.objects.filter(plan=plan, continued_by__code="P7.1").count() == 1
    copied = Target.objects.get(plan=plan, code="P1.3")
    assert copied.lead_department == town and copied.co_departments.count() == 2
    assert Target.objects.get(plan=plan, code="P5.2.1").parent.code == "P5.2"


def test_a_dry_run_checks_and_saves_nothing(seeded, tmp_path):
    path = tmp_path / "2024.xlsx"
    path.write_bytes(export(2024))
    out = io.StringIO()
    call_command("import_plan", str(path), "--year", "2026", "--dry-run", stdout=out)
    assert "检查通过" in out.getvalue()
    assert not Plan.objects.filter(year=2026).exists()


def _edited(data: bytes, sheet: str, cell: str, value) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    wb[sheet][cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("目标", "D3", "Z9"), "「目标」第 3 行「所属项目或举措」:编号「Z9」不存在"),
        (("目标", "G2", "about_most"), "「目标」第 2 行「类型」"),
        (("目标", "I2", "abc"), "「目标」第 2 行「目标值」:「abc」无法识别"),
        (("目标", "T2", "不存在的单位"), "没有名为「不存在的单位」的单位"),
        (("目标", "V2", "2023:P1.1"), "找不到「2023:P1.1」"),
        (("目标", "A3", "P1.1"), "编号「P1.1」重复"),
        (("往年成绩", "J2", "Z9"), "「往年成绩」第 2 行「延续的目标」:编号「Z9」不存在"),
        (("目标", "E2", "=1+1"), "含有公式"),
    ],
)
def test_any_bad_row_imports_nothing_and_says_where(seeded, edit, message):
    data = _edited(export(2024), *edit)
    with pytest.raises(plan_import.ImportFailed) as failure:
        plan_import.import_plan(data, year=2025)
    assert any(message in problem for problem in failure.value.problems), failure.value.problems
    assert not Plan.objects.filter(year=2025).exists()
    assert Target.objects.count() == 116


def test_files_that_are_not_a_plan_workbook_are_refused(seeded, tmp_path):
    wb = Workbook()
    wb.active.append(["编号", "累计完成值"])
    out = io.BytesIO()
    wb.save(out)
    for data, message in [
        (out.getvalue(), "不是本系统的计划工作簿"),
        (b"code,value\n", "不是 .xlsx"),
        (export(2024), "2024 年的计划已存在"),
    ]:
        path = tmp_path / "x.xlsx"
        path.write_bytes(data)
        with pytest.raises(CommandError, match=message):
            call_command("import_plan", str(path), stdout=io.StringIO())
    assert Plan.objects.count() == 1


def test_an_admin_exports_and_imports_a_plan_with_a_preview(seeded):
    from django.contrib.auth.models import Group
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from goals.accounts.permissions import ADMIN, ensure_roles
    from tests.builders import make_user
    from tests.personas import as_user

    ensure_roles()
    user = make_user("plan-admin", is_staff=True)
    user.groups.add(Group.objects.get(name=ADMIN))
    client = as_user(user)
    assert "从工作簿导入" in client.get(reverse("admin:goals_plan_changelist")).content.decode()
    response = client.get(reverse("admin:goals_plan_export", args=[2024]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    data = response.content

    url = reverse("admin:goals_plan_import")
    preview = client.post(url, {"file": SimpleUploadedFile("2024.xlsx", data), "year": "2025"})
    html = preview.content.decode()
    assert "检查通过:将导入 2025 年计划" in html and "目标:116" in html
    assert not Plan.objects.filter(year=2025).exists()
    response = client.post(url, {"confirm": "1", "digest": preview.context["digest"]})
    assert response.status_code == 302
    assert Target.objects.filter(plan__year=2025).count() == 116

    refused = client.post(url, {"file": SimpleUploadedFile("x.xlsx", b"a,b\n"), "year": ""})
    assert "不是 .xlsx" in refused.content.decode()
    again = client.post(url, {"file": SimpleUploadedFile("2024.xlsx", data), "year": "2025"})
    assert "2025 年的计划已存在" in again.content.decode()
