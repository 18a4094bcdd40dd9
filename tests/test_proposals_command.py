"""propose_plan: a published text → JSON and the plan workbook, without touching the database;
the workbook imports with import_plan (the round trip into a fresh year)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from docx import Document

from goals.models import Plan, Target

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "fixtures" / "source" / "plan-2024.md"
TARGET_KEYS = {
    "name",
    "wording",
    "source_clause",
    "kind",
    "comparator",
    "target_value",
    "target_upper",
    "unit",
    "scale",
    "confidence",
    "doubts",
    "sub_targets",
}


def propose(*args) -> str:
    out = io.StringIO()
    call_command("propose_plan", *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_json_shape_and_no_database_change(tmp_path, django_assert_num_queries):
    out = tmp_path / "plan.json"
    with django_assert_num_queries(0):
        message = propose(SOURCE, "--json", out)
    assert "17 个项目或行动" in message
    data = json.loads(out.read_text(encoding="utf-8"))
    assert {"groups", "context"} <= set(data)
    assert data["year"] == 2024
    assert [g["name"] for g in data["groups"]][:2] == ["重大项目突破行动", "科技创新领航行动"]
    assert "常有善育" in [g["name"] for g in data["groups"]]
    for group in data["groups"]:
        for target in group["targets"]:
            assert set(target) == TARGET_KEYS
            assert 0 <= target["confidence"] <= 1
    anju = next(g for g in data["groups"] if g["name"] == "常有安居")
    total = next(t for t in anju["targets"] if t["target_value"] == 50)
    assert total["sub_targets"][0]["target_value"] == 15
    reasons = {c["reason"] for c in data["context"]}
    assert {"年龄", "名称中的数字", "计划清单之外"} <= reasons
    assert Plan.objects.count() == 0


@pytest.mark.django_db
def test_the_workbook_imports_into_a_fresh_year(tmp_path):
    book = tmp_path / "plan.xlsx"
    propose(SOURCE, "--year", 2030, "--xlsx", book)
    assert not Plan.objects.filter(year=2030).exists()
    out = io.StringIO()
    call_command("import_plan", str(book), stdout=out)
    plan = Plan.objects.get(year=2030)
    targets = Target.objects.filter(plan=plan)
    assert targets.count() == 112
    parking = targets.get(wording="新建公共停车位1000个")
    assert (parking.kind, parking.target_value, parking.unit, parking.group.name) == (
        "at_least",
        Decimal(1000),
        "个",
        "交通畅行工程",
    )
    part = targets.get(wording="旧改15个")
    assert part.parent.wording == "完成既有住宅电动汽车充电桩50组"
    elderly = targets.get(wording__startswith="为1.1万名")
    assert (elderly.target_value, elderly.scale) == (Decimal("1.1"), 10_000)
    assert targets.get(wording__startswith="新增省市优质园").target_upper == Decimal(3)
    assert plan.action_set.count() == 7


@pytest.mark.django_db
def test_a_docx_and_a_traditional_text_are_read(tmp_path):
    document = Document()
    document.add_paragraph("雲溪鎮2026年民生實事項目")
    document.add_paragraph("（一）老有所享")
    document.add_paragraph("新建社區長者食堂３家；完成居家適老化改造120戶。")
    path = tmp_path / "plan.docx"
    document.save(path)
    out = tmp_path / "plan.json"
    propose(path, "--json", out)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["year"] == 2026 and data["traditional"]
    assert [(t["target_value"], t["unit"]) for t in data["groups"][0]["targets"]] == [(3, "家"), (120, "户")]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (None, "missing.txt", "找不到文件"),
        (b"\x00\x01\x02binary", "plan.txt", "不是文本文件"),
        (b"PK\x03\x04 not really", "plan.docx", "不是有效的 Word"),
        (b"old", "plan.doc", "不支持旧版 Word"),
        ("这是一段没有清单的文字。".encode(), "plan.txt", "没有找到计划清单"),
    ],
)
def test_bad_files_get_a_clear_message_and_write_nothing(tmp_path, content, name, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out.json"
    with pytest.raises(CommandError, match=message):
        propose(path, "--json", out)
    assert not out.exists()


def test_a_gb18030_text_is_read(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes("一、项目\n新建社区食堂不少于10家。".encode("gb18030"))
    data = json.loads(propose(path))
    assert data["groups"][0]["targets"][0]["comparator"] == "不少于"


def test_the_year_is_needed_for_a_workbook(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("一、项目\n新建社区食堂10家。", encoding="utf-8")
    with pytest.raises(CommandError, match="--year"):
        propose(path, "--xlsx", tmp_path / "plan.xlsx")
    with pytest.raises(CommandError, match="年度应在"):
        propose(path, "--year", 99, "--json", tmp_path / "plan.json")


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted((ROOT / "bench" / "plans").rglob("*.txt")), ids=lambda p: p.stem)
def test_every_development_text_makes_a_workbook_import_plan_accepts(path, tmp_path):
    book = tmp_path / "plan.xlsx"
    propose(path, "--year", 2031, "--xlsx", book)
    out = io.StringIO()
    call_command("import_plan", str(book), "--dry-run", stdout=out)
    assert "检查通过" in out.getvalue()
    assert not Plan.objects.filter(year=2031).exists()
