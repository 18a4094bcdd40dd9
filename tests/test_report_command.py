"""`manage.py report CODE VALUE --as-of …`: scripted loads validated like the forms."""

import datetime
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from goals.forms import ReportForm
from goals.models import AuditEntry, Report, Target
from tests.builders import make_plan, make_project, make_target, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def target():
    plan = make_plan(2023)
    return make_target(make_project(plan), "P4.1", value="1.1", scale=10000, unit="名", name="居家养老服务")


def run(*args):
    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_it_records_a_submitted_report(target):
    official = make_user("official")
    out = run(
        "P4.1", "10450", "--as-of", "2023-06-30", "--note", "上半年", "--by", "official", "--plan", "2023"
    )
    report = Report.objects.get()
    assert report.target == target
    assert report.value == D(10450)
    assert report.as_of == datetime.date(2023, 6, 30)
    assert report.author == official
    assert report.state == Report.State.SUBMITTED
    assert "P4.1" in out and "1.045万名" in out and "待审核" in out
    assert AuditEntry.objects.get().action == AuditEntry.Action.SUBMIT


def test_approve_publishes_and_bumps_the_target_revision(target):
    make_user("reviewer")
    out = run("P4.1", "11000", "--as-of", "2023-12-31", "--by", "reviewer", "--approve", "--plan", "2023")
    report = Report.objects.get()
    assert report.state == Report.State.APPROVED
    assert report.reviewer.username == "reviewer"
    assert Target.objects.get(pk=target.pk).revision == 1
    assert "已通过" in out
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == ["submit", "approve"]


@pytest.mark.parametrize(
    ("value", "as_of", "message"),
    [
        ("abc", "2023-06-30", "请输入数字"),
        ("-5", "2023-06-30", "不能为负数"),
        ("99999999", "2023-06-30", "远超目标"),
        ("100", "2022-12-31", "不能早于计划开始"),
        ("100", "2024-01-01", "不能晚于目标期限"),
        ("100", "2023-02-30", "日期格式"),
    ],
)
def test_bad_input_changes_nothing(target, value, as_of, message):
    with pytest.raises(CommandError, match=message):
        run("P4.1", value, "--as-of", as_of, "--plan", "2023")
    assert not Report.objects.exists()
    assert not AuditEntry.objects.exists()


def test_unknown_code_user_and_unsigned_approval_are_refused(target):
    with pytest.raises(CommandError, match="没有编号为 P9.9"):
        run("P9.9", "1", "--as-of", "2023-06-30", "--plan", "2023")
    with pytest.raises(CommandError, match="没有用户名为 ghost"):
        run("P4.1", "1", "--as-of", "2023-06-30", "--by", "ghost", "--plan", "2023")
    with pytest.raises(CommandError, match="--approve 需要"):
        run("P4.1", "1", "--as-of", "2023-06-30", "--approve", "--plan", "2023")
    assert not Report.objects.exists()


def test_a_milestone_takes_a_percent_up_to_100():
    plan = make_plan(2023)
    make_target(make_project(plan), "P10.1", kind=Target.Kind.MILESTONE)
    with pytest.raises(CommandError, match="不能超过 100"):
        run("P10.1", "120", "--as-of", "2023-06-30", "--plan", "2023")
    run("P10.1", "100", "--as-of", "2023-06-30", "--plan", "2023")
    assert Report.objects.get().value == D(100)


def test_a_date_after_today_is_refused(target):
    form = ReportForm({"value": "5", "as_of": "2023-07-01"}, target=target, today=datetime.date(2023, 6, 30))
    assert not form.is_valid()
    assert "不能晚于今天" in form.errors["as_of"][0]
