"""`manage.py report CODE VALUE --as-of …`: scripted loads validated like the forms, and
approved only as the review queue would (a reviewer, never the author unless a superuser
says --self-approve)."""

import datetime
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from goals.models import AuditEntry, Report, Target
from goals.reporting.forms import ReportForm
from tests.builders import make_project, make_target, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def target(world):
    project = make_project(world.plan, "P4")
    return make_target(
        project,
        "P4.1",
        value="1.1",
        scale=10000,
        unit="名",
        name="居家养老服务",
        lead_department=world.own_department,
    )


def run(*args):
    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def nothing_recorded():
    return not Report.objects.exists() and not AuditEntry.objects.exists()


def test_it_records_a_submitted_report(target, official_own):
    out = run(
        "P4.1", "10450", "--as-of", "2023-06-30", "--note", "上半年", "--by", "official-own", "--plan", "2023"
    )
    report = Report.objects.get()
    assert report.target == target
    assert report.value == D(10450)
    assert report.as_of == datetime.date(2023, 6, 30)
    assert report.author == official_own
    assert report.state == Report.State.SUBMITTED
    assert "P4.1" in out and "1.045万名" in out and "待审核" in out
    assert AuditEntry.objects.get().action == AuditEntry.Action.SUBMIT


def test_it_approves_for_a_reviewer_on_the_authors_behalf(target, official_own, reviewer):
    out = run(
        "P4.1", "11000", "--as-of", "2023-12-31", "--author", "official-own", "--by", "reviewer",
        "--approve", "--plan", "2023",
    )  # fmt: skip
    report = Report.objects.get()
    assert report.state == Report.State.APPROVED
    assert (report.author, report.reviewer) == (official_own, reviewer)
    assert Target.objects.get(pk=target.pk).revision == 1
    assert "已通过" in out
    entries = list(AuditEntry.objects.order_by("id"))
    assert [(e.action, e.actor) for e in entries] == [("submit", official_own), ("approve", reviewer)]
    assert "self_approved" not in entries[1].changes


def test_it_refuses_to_approve_for_a_user_without_the_review_permission(target, official_own, official_other):
    with pytest.raises(CommandError, match="official-other 没有审核权限"):
        run(
            "P4.1", "1", "--as-of", "2023-06-30", "--author", "official-own", "--by", "official-other",
            "--approve", "--plan", "2023",
        )  # fmt: skip
    assert nothing_recorded()


def test_it_refuses_a_reviewer_approving_their_own_load(target, reviewer):
    with pytest.raises(CommandError, match="不能填报 P4.1"):
        run("P4.1", "1", "--as-of", "2023-06-30", "--by", "reviewer", "--approve", "--plan", "2023")
    assert nothing_recorded()


def test_it_refuses_an_author_who_may_not_report_on_the_target(target, official_other):
    with pytest.raises(CommandError, match="official-other 不能填报 P4.1"):
        run("P4.1", "1", "--as-of", "2023-06-30", "--by", "official-other", "--plan", "2023")
    assert nothing_recorded()


def test_a_superuser_self_approves_only_when_saying_so(target):
    make_user("root", is_superuser=True, is_staff=True)
    args = ["P4.1", "1", "--as-of", "2023-06-30", "--by", "root", "--approve", "--plan", "2023"]
    with pytest.raises(CommandError, match="--self-approve"):
        run(*args)
    assert nothing_recorded()
    run(*args, "--self-approve")
    report = Report.objects.get()
    assert report.state == Report.State.APPROVED and report.author == report.reviewer
    approval = AuditEntry.objects.get(action=AuditEntry.Action.APPROVE)
    assert approval.changes["self_approved"] is True


def test_self_approve_is_refused_where_it_means_nothing(target, official_own, reviewer):
    with pytest.raises(CommandError, match="只能与 --approve 一起使用"):
        run("P4.1", "1", "--as-of", "2023-06-30", "--by", "official-own", "--self-approve", "--plan", "2023")
    with pytest.raises(CommandError, match="请去掉它"):
        run(
            "P4.1", "1", "--as-of", "2023-06-30", "--author", "official-own", "--by", "reviewer",
            "--approve", "--self-approve", "--plan", "2023",
        )  # fmt: skip
    assert nothing_recorded()


def test_an_inactive_user_is_refused(target, official_own):
    official_own.is_active = False
    official_own.save()
    with pytest.raises(CommandError, match="已停用"):
        run("P4.1", "1", "--as-of", "2023-06-30", "--by", "official-own", "--plan", "2023")
    assert nothing_recorded()


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


def test_a_milestone_takes_a_percent_up_to_100(world):
    make_target(make_project(world.plan, "P10"), "P10.1", kind=Target.Kind.MILESTONE)
    with pytest.raises(CommandError, match="不能超过 100"):
        run("P10.1", "120", "--as-of", "2023-06-30", "--plan", "2023")
    run("P10.1", "100", "--as-of", "2023-06-30", "--plan", "2023")
    assert Report.objects.get().value == D(100)


def test_a_date_after_today_is_refused(target):
    form = ReportForm({"value": "5", "as_of": "2023-07-01"}, target=target, today=datetime.date(2023, 6, 30))
    assert not form.is_valid()
    assert "不能晚于今天" in form.errors["as_of"][0]


def test_the_same_figure_twice_is_refused_the_second_time(target, official_own):
    args = ("P4.1", "10450", "--as-of", "2023-06-30", "--by", "official-own", "--plan", "2023")
    run(*args)
    with pytest.raises(CommandError, match="已经提交,正在等待审核"):
        run(*args)
    assert Report.objects.count() == 1 and AuditEntry.objects.count() == 1
