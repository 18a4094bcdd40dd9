"""Workbooks that break the XML parser or the number parser are refused with a message, never
a 500: DOCTYPE and ENTITY declarations (billion laughs, external entities), parts that fail to
parse while rows are read, and years or numbers written in digits that are digits only to
str.isdigit() (²⁰²⁵)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from goals.accounts.permissions import ADMIN, ensure_roles
from goals.models import Plan, Report, Target
from goals.workbooks import plan as plan_workbook
from goals.workbooks import plan_import
from tests.builders import make_user
from tests.personas import as_user

LOL = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
LAUGHS = f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{LOL}]>'
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_part(data: bytes, member: str, edit) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            dst.writestr(info.filename, edit(content) if info.filename == member else content)
    return out.getvalue()


def declaring(prologue: str, entity: str, encoding: str = "utf-8"):
    """An edit that puts a DTD before the part and uses its entity in the first text cell."""

    def edit(xml: bytes) -> bytes:
        xml = re.sub(rb"^<\?xml[^>]*\?>", b"", xml)
        xml = re.sub(rb"<t>[^<]*</t>", f"<t>{entity}</t>".encode(), xml, count=1)
        text = prologue + xml.decode()
        if encoding != "utf-8":
            text = text.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
        return text.encode(encoding)

    return edit


def broken(xml: bytes) -> bytes:
    """A sheet that is not well-formed past its first rows (openpyxl parses it lazily)."""
    return xml.replace(b"</sheetData>", b'<row r="90"><c r="A90"><v>1</v></c></sheetData>').replace(
        b"</worksheet>", b"<unclosed></worksheet>"
    )


HOSTILE = [
    pytest.param(declaring(LAUGHS, "&lol9;"), "XML 实体声明", id="billion-laughs"),
    pytest.param(declaring(EXTERNAL, "&xxe;"), "XML 实体声明", id="external-entity"),
    pytest.param(declaring(EXTERNAL, "&xxe;", "utf-16"), "XML 实体声明", id="external-entity-utf16"),
    pytest.param(broken, "工作表内容已损坏", id="not-well-formed"),
]


@pytest.mark.parametrize(("edit", "message"), HOSTILE)
def test_a_department_workbook_the_xml_parser_would_choke_on_is_refused(world, official_own, edit, message):
    client = as_user(official_own)
    data = client.get(reverse("workbook_download"), {"department": world.own_department.pk}).content
    hostile = with_part(data, "xl/worksheets/sheet1.xml", edit)
    response = client.post(
        reverse("workbook_upload"),
        {"department": world.own_department.pk, "file": SimpleUploadedFile("x.xlsx", hostile)},
    )
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Report.objects.count() == 0


@pytest.mark.parametrize(("edit", "message"), HOSTILE)
def test_a_plan_workbook_the_xml_parser_would_choke_on_is_refused(seeded, edit, message):
    data = with_part(plan_workbook.export(seeded), "xl/worksheets/sheet6.xml", edit)
    with pytest.raises(plan_import.Refused, match=message):
        plan_import.import_plan(data, year=2025, dry_run=True)


def test_a_declaration_in_any_part_is_refused_before_openpyxl_reads_it(seeded):
    data = with_part(plan_workbook.export(seeded), "xl/styles.xml", declaring(EXTERNAL, ""))
    with pytest.raises(plan_import.Refused, match="XML 实体声明"):
        plan_import.import_plan(data, year=2025, dry_run=True)


@pytest.fixture
def admin_client(seeded):
    ensure_roles()
    user = make_user("plan-admin", is_staff=True)
    user.groups.add(Group.objects.get(name=ADMIN))
    return as_user(user)


def test_the_admin_refuses_a_year_in_superscript_digits(admin_client, seeded):
    url = reverse("admin:goals_plan_import")
    data = plan_workbook.export(seeded)
    response = admin_client.post(url, {"file": SimpleUploadedFile("p.xlsx", data), "year": "²⁰²⁵"})
    assert response.status_code == 200
    assert "年度应为四位数字" in response.content.decode()
    hostile = with_part(data, "xl/worksheets/sheet6.xml", declaring(EXTERNAL, "&xxe;"))
    response = admin_client.post(url, {"file": SimpleUploadedFile("p.xlsx", hostile), "year": "2025"})
    assert response.status_code == 200 and "XML 实体声明" in response.content.decode()
    assert not Plan.objects.filter(year=2025).exists()


def _edited(data: bytes, sheet: str, cell: str, value) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    wb[sheet][cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("sheet", "cell", "value", "message"),
    [
        ("计划", "B2", "²⁰²⁵", "「计划」第 2 行「年度」:「²⁰²⁵」无法识别"),
        ("计划", "B2", "٢٠٢٥", "「计划」第 2 行「年度」:「٢٠٢٥」无法识别"),
        ("目标", "V2", "²⁰²⁴:P1.1", "找不到「²⁰²⁴:P1.1」"),
        ("目标", "V2", "٢٠٢٤:P1.1", "找不到「٢٠٢٤:P1.1」"),
        ("目标", "C2", "Infinity", "「目标」第 2 行「排序」:「Infinity」无法识别"),
        ("目标", "I2", "NaN", "「目标」第 2 行「目标值」:「NaN」无法识别"),
    ],
)
def test_numbers_in_a_plan_workbook_are_ascii_digits(seeded, sheet, cell, value, message):
    data = _edited(plan_workbook.export(seeded), sheet, cell, value)
    with pytest.raises(plan_import.ImportFailed) as failure:
        plan_import.import_plan(data, year=None if sheet == "计划" else 2025)
    assert any(message in problem for problem in failure.value.problems), failure.value.problems
    assert Plan.objects.count() == 1 and Target.objects.count() == 116
