"""从文本新建计划, step one and the table against bad input: every refusal beside its field
with nothing stored, uploads read (.docx, GB18030) or refused (size, type, encoding, control
characters), and no input, fuzzed, answering 5xx."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from docx import Document
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from goals.models import Plan, Target
from tests.personas import as_user, staff_user
from tests.test_plan_from_text import TEXT, URL, fields, preview


@pytest.fixture
def boss(world):
    return staff_user("boss", "管理员", is_staff=True)


# --- bad input in step 1 -------------------------------------------------------------------


def docx_bytes(text: str) -> bytes:
    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"text": ""}, "text", "请粘贴计划原文"),
        ({"text": "   \n  "}, "text", "请粘贴计划原文"),
        ({"text": "一些文字\x07更多"}, "text", "控制字符"),
        ({"text": "今天天气很好。"}, "text", "没有找到计划清单"),
        ({"text": "字" * 100_001}, "text", "文本过长"),
        ({"year": "2023"}, "year", "2023 年已有计划"),
        ({"year": "二〇二五"}, "year", "整数"),
        ({"year": "1999"}, "year", "2000"),
        ({"file": ("plan.pdf", b"%PDF-1.4")}, "file", "不支持「.pdf」"),
        ({"file": ("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")}, "file", "旧版 Word"),
        ({"file": ("plan.txt", b"\x00\x01\x02binary")}, "file", "无法读取文件的文字"),
        ({"file": ("plan.txt", b"\xff\xfe\xfa" * 10 + b"\x81")}, "file", "无法读取文件的文字"),
        ({"file": ("plan.docx", b"PK\x03\x04 not a zip")}, "file", "不是有效的 Word"),
        ({"file": ("plan.txt", "项目一:道路\n新建道路\x0b3公里。".encode())}, "file", "控制字符"),
        ({"file": ("plan.txt", TEXT.encode()), "text": TEXT}, None, "不要同时使用"),
    ],
    ids=[
        "empty",
        "blank",
        "control",
        "no-list",
        "long",
        "year-has-plan",
        "year-words",
        "year-old",
        "pdf",
        "doc",
        "binary",
        "undecodable",
        "bad-docx",
        "file-control",
        "both",
    ],
)
def test_bad_input_is_refused_beside_its_field_and_stores_nothing(world, boss, post, field, message):
    data = {"year": "2025", "title": "", "source": "", "text": "", "preview": "1"}
    data.update({k: v for k, v in post.items() if k != "file"})
    if "file" in post:
        data["file"] = SimpleUploadedFile(*post["file"])
    client = as_user(boss)
    response = client.post(URL, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html, re.sub(r"\s+", " ", html)[-3000:]
    assert "<mark" not in html and "plan_from_text" not in client.session
    assert not Plan.objects.filter(year=2025).exists()
    if field:  # beside its field, which points to it (aria-describedby)
        error = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.S)
        assert error and message in error.group(1), html[html.find("errorlist") - 200 :][:1500]
        assert f'aria-describedby="id_{field}_error' in html or 'aria-invalid="true"' in html


@pytest.mark.django_db
def test_a_file_over_the_limit_is_refused(world, boss, settings):
    settings.WORKBOOK_MAX_BYTES = 1024
    client = as_user(boss)
    upload = SimpleUploadedFile("plan.txt", TEXT.encode() * 10)
    response = client.post(URL, {"year": "2025", "file": upload, "preview": "1"})
    assert "上限" in response.content.decode() and "<mark" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content"),
    [("2025.docx", docx_bytes(TEXT)), ("2025.txt", TEXT.encode("gb18030"))],
    ids=["docx", "gb18030"],
)
def test_an_uploaded_docx_or_gb18030_text_is_read(world, boss, name, content):
    client = as_user(boss)
    response = client.post(URL, {"year": "2025", "file": SimpleUploadedFile(name, content), "preview": "1"})
    html = response.content.decode()
    assert html.count("<mark") == 11
    assert client.session["plan_from_text"]["source"] == name


# --- no input answers 5xx ------------------------------------------------------------------

FUZZ = hsettings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = st.one_of(
    st.sampled_from(["\x01", "\x1b", "\x7f", "\r\n", "１２", "9" * 40, "-1", "1e9", "NaN", "Infinity", "\u202e",
                     "", " ", "2025", "milestone", "range", "10000", "0", "99", "<script>"]),
    st.text(max_size=30),
)  # fmt: skip


@pytest.mark.django_db
@FUZZ
@given(year=NASTY, text=NASTY, title=NASTY)
def test_no_text_in_step_one_answers_5xx(world, boss, year, text, title):
    response = as_user(boss).post(
        URL, {"year": year, "title": title, "text": "项目一:道路\n" + text, "preview": 1}
    )
    assert response.status_code in (200, 400)
    assert not Plan.objects.exclude(pk=world.plan.pk).exists()


@pytest.mark.django_db
@FUZZ
@given(values=st.dictionaries(st.sampled_from(["ref", "group", "name", "kind", "comparator", "target_value",
                                               "target_upper", "unit", "scale", "reject", "wording"]),
                              NASTY, max_size=5),
       row=st.sampled_from(["0", "3", "11", "12"]))  # fmt: skip
@example(values={"name": "\x01"}, row="0")  # found by CI: a control character reached the workbook
@example(values={"unit": "个\x0b"}, row="3")
def test_no_table_answers_5xx(world, boss, values, row):
    with transaction.atomic():  # each example from a database without the plan
        client = as_user(boss)
        data = fields(preview(client).content.decode())
        assert "token" in data
        data.update({f"rows-{row}-{key}": value for key, value in values.items()})
        response = client.post(URL, {**data, "confirm": "1"})
        assert response.status_code in (200, 302, 400)
        if Plan.objects.filter(year=2025).exists():
            assert response.status_code == 302 and Target.objects.filter(plan__year=2025).count() >= 9
        transaction.set_rollback(True)


@pytest.mark.parametrize("field", ["name", "wording", "comparator", "unit"])
def test_a_control_character_in_the_table_is_refused_beside_its_field(world, boss, field):
    # Every row goes through a plan workbook, which cannot hold a control character.
    client = as_user(boss)
    data = fields(preview(client).content.decode())
    data[f"rows-0-{field}"] = "新建\x01公园"
    response = client.post(URL, {**data, "confirm": "1"})
    assert response.status_code == 200
    assert "不可见的控制字符" in response.content.decode()
    assert not Plan.objects.filter(year=2025).exists()


def test_a_control_character_in_the_title_or_source_is_refused(world, boss):
    for field in ("title", "source"):
        response = as_user(boss).post(URL, {"year": 2025, field: "计划\x07", "text": TEXT, "preview": 1})
        assert response.status_code == 200 and "不可见的控制字符" in response.content.decode()
    assert not Plan.objects.filter(year=2025).exists()
