"""Valid HTML: the Nu HTML checker (vnu.jar from the npm package vnu-jar, run with Java)
finds no error on any public or staff page, in Chinese and in English.

Pages are rendered through the test client into a temporary directory and checked in one
run of the checker (one JVM start). The Django admin's own markup is not checked here
(tests/test_browser_admin.py runs axe-core on it).
"""

from __future__ import annotations

import datetime
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import translation

from goals.accounts.permissions import ADMIN, HEAD, OFFICIAL, REVIEWER, ensure_roles
from goals.models import Department, Leader, Report, Target
from goals.participation import questions, tokens
from goals.reporting import services
from tests.builders import evidence as files
from tests.builders import make_user
from tests.conftest import ROOT, unavailable

VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
DAY = "?as_of=2024-07-15"


def nu_errors(folder: Path) -> list[dict]:
    """The checker's errors for every .html file in `folder`."""
    java = shutil.which("java")
    if java is None:
        unavailable("java not found: apt-get install default-jre-headless (for the Nu HTML checker)")
    if not VNU_JAR.is_file():
        unavailable(f"{VNU_JAR.relative_to(ROOT)} is missing: run scripts/setup (npm ci)")
    run = subprocess.run(  # noqa: S603 (our own command line, no shell)
        [
            java,
            "-Xss4m",
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--exit-zero-always",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(run.stderr or run.stdout or '{"messages": []}')
    return [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]


@pytest.fixture
def scene(seeded, settings, tmp_path_factory):
    """The seed with approved and pending reports, an official of 遥观镇 and a reviewer."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")  # not the folder of pages checked
    ensure_roles()
    plan = seeded
    unit = Department.objects.get(name="遥观镇")
    Target.objects.filter(plan=plan, code__in=["P1.3", "P4.1", "A6.1", "S4.1"]).update(lead_department=unit)
    official = make_user("nu-official", first_name="遥观填报员")
    official.groups.add(Group.objects.get(name=OFFICIAL))
    unit.members.add(official)
    reviewer = make_user("nu-reviewer", first_name="审核员")
    reviewer.groups.add(Group.objects.get(name=REVIEWER))
    admin = make_user("nu-admin", first_name="管理员", is_staff=True)
    admin.groups.add(Group.objects.get(name=ADMIN))
    for code, value, day in [
        ("P4.1", 5000, datetime.date(2024, 3, 31)),
        ("P4.1", 10450, datetime.date(2024, 6, 30)),
        ("P1.3", 120, datetime.date(2024, 6, 30)),
        ("A6.1", 50, datetime.date(2024, 6, 30)),
    ]:
        target = Target.objects.get(plan=plan, code=code)
        report = services.submit_report(
            target=target, value=Decimal(value), as_of=day, author=official, note="进展"
        )
        services.approve_report(report=report, reviewer=reviewer)
    pending = services.submit_report(
        target=Target.objects.get(plan=plan, code="P1.3"),
        value=Decimal(150),
        as_of=datetime.date(2024, 7, 10),
        author=official,
        note="待审核",
        evidence=files("现场.png", "验收报告.pdf"),  # previews in the review queue
    )
    # A leader in charge (分管领导) of P1.3, linked to an account: their workspace.
    leader = make_user("nu-leader", first_name="王分管")
    Leader.objects.create(name="王某某", title="管委会副主任", user=leader)
    Target.objects.filter(plan=plan, code__in=["P1.3", "P4.1"]).update(
        leader=Leader.objects.get(), contact_name="张三"
    )
    returned = services.submit_report(
        target=Target.objects.get(plan=plan, code="P4.1"),
        value=Decimal(11000),
        as_of=datetime.date(2024, 7, 10),
        author=official,
    )
    services.return_report(report=returned, reviewer=reviewer, reason="请补充材料")
    # The sign-off chain: a department head, and a report waiting for them.
    head = make_user("nu-head", first_name="遥观负责人")
    head.groups.add(Group.objects.get(name=HEAD))
    unit.members.add(head)
    Report.objects.create(
        target=Target.objects.get(plan=plan, code="P1.3"),
        value=Decimal(160),
        as_of=datetime.date(2024, 7, 20),
        author=official,
        state=Report.State.CONFIRMING,
    )
    question = questions.confirm(
        questions.ask(
            target=Target.objects.get(plan=plan, code="P4.1"),
            text="数据口径?\n第二行",
            email="resident@example.org",
            name="",
            language="zh-hans",
        )
    )

    # Residents' questions in every shape the pages show: answered and corrected, withdrawn by
    # its resident (the answer kept), and one on a target no department leads (督查室's).
    def confirmed(code: str, text: str):
        return questions.confirm(
            questions.ask(
                target=Target.objects.get(plan=plan, code=code),
                text=text,
                email="resident@example.org",
                name="李四",
                language="zh-hans",
            )
        )

    answered = questions.answer(
        question=confirmed("P4.1", "服务人次怎么统计?"), user=official, text="按记录统计。"
    )
    questions.revise(question=answered, user=official, text="按服务记录统计。", note="措辞")
    withdrawn = questions.answer(question=confirmed("P4.1", "撤回的问题"), user=official, text="仍公开的答复")
    questions.delete(withdrawn.pk)
    confirmed("P2.1", "无牵头单位的目标怎么算?")
    return {
        "question": question,
        "plan": plan,
        "unit": unit,
        "official": official,
        "reviewer": reviewer,
        "admin": admin,
        "pending": pending,
    }


def public_paths(scene) -> list[str]:
    codes = Target.objects.filter(plan=scene["plan"]).values_list("code", flat=True)
    kinds = {}
    for target in Target.objects.filter(plan=scene["plan"]).order_by("code"):
        kinds.setdefault(target.kind, target.code)
    targets = {"P4.1", "A6.1", "P1.3", *kinds.values()}
    assert targets <= set(codes)
    return [
        reverse("home"),
        reverse("home") + DAY,
        reverse("targets"),
        reverse("targets") + "?status=done&q=x",
        reverse("targets") + "?status=nonsense",
        reverse("project", args=["P4"]),
        reverse("action", args=["A6"]),
        reverse("pillar", args=["S1"]),
        reverse("pillar", args=["S4"]),
        reverse("departments"),
        reverse("department", args=[scene["unit"].pk]),
        *(reverse("target", args=[code]) + DAY for code in sorted(targets)),
        reverse("league"),
        # Questions and answers (as of today: they were asked after the DAY above).
        reverse("target", args=["P4.1"]),
        reverse("target", args=["P2.1"]),
        # Residents (goals.participation): the never-cached forms and the pages of their links.
        reverse("follow", args=["target", "P4.1"]) + "?year=2024",
        reverse("follow", args=["department", scene["unit"].pk]) + "?year=2024",
        reverse("question_ask", args=["P4.1"]) + "?year=2024",
        reverse("participation_sent"),
        reverse("follow_manage", args=[tokens.make("manage", "resident@example.org")]),
        reverse("follow_confirm", args=["forged"]),
        reverse("question_delete", args=[tokens.make("question-delete", scene["question"].pk)]),
    ]


def staff_pages(scene) -> list[tuple[object, str]]:
    official, reviewer = scene["official"], scene["reviewer"]
    p13 = Target.objects.get(plan=scene["plan"], code="P1.3")
    returned = Report.objects.get(state=Report.State.RETURNED)
    return [
        (None, reverse("login")),
        (official, reverse("workspace")),
        (official, reverse("workspace") + "?status=behind"),
        (official, reverse("report_target", args=[p13.code])),
        (official, reverse("resubmit_report", args=[returned.pk])),
        (official, reverse("password_change")),
        (official, reverse("two_factor")),
        (official, reverse("two_factor_enrol")),
        (official, reverse("password_change_done")),
        (official, reverse("report_target", args=["P9.3"])),  # another unit's target: 404 page
        (reviewer, reverse("review_queue")),
        (reviewer, reverse("workspace") + "?as_reviewer=1"),
        (scene["admin"], reverse("workspace")),
        (scene["admin"], reverse("review_queue")),
        (get_user_model().objects.get(username="nu-leader"), reverse("leader_workspace")),
        (get_user_model().objects.get(username="nu-head"), reverse("confirm_queue")),
        (official, reverse("staff_questions")),
        (reviewer, reverse("staff_questions")),
    ]


def test_every_public_and_staff_page_is_valid_html(scene, tmp_path):
    written: dict[str, str] = {}

    def save(client: Client, path: str, label: str) -> None:
        response = client.get(path, follow=True)
        assert response.status_code in (200, 400, 403, 404), (path, response.status_code)
        name = f"{len(written):03d}.html"
        (tmp_path / name).write_bytes(response.content)
        written[name] = f"{label} {path}"

    for language in ("zh-hans", "en"):
        with translation.override(language):
            anonymous = Client()
            for path in public_paths(scene):
                save(anonymous, path, "public")
            elder = Client()
            elder.cookies["elder"] = "1"  # 长者模式
            for path in [*public_paths(scene)[:12], *public_paths(scene)[-12:]]:  # with the residents' pages
                save(elder, path, "elder")
            for user, path in staff_pages(scene):
                client = Client()
                if user is not None:
                    client.force_login(user)
                save(client, path, getattr(user, "username", "signed out"))
            # Pages answering a POST: signed out, and a form refused by the CSRF check.
            signed_in = Client()
            signed_in.force_login(scene["official"])
            for label, response in (
                ("logged out", signed_in.post(reverse("logout"))),
                ("csrf failure", Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x"})),
            ):
                name = f"{len(written):03d}.html"
                (tmp_path / name).write_bytes(response.content)
                written[name] = f"{label} ({language})"
    pages = "".join((tmp_path / name).read_text(encoding="utf-8") for name in written)
    for shown in ("修改于", "提问人已删除问题原文", "未分配牵头单位", "转交答复单位", "修改答复", "长者模式"):
        assert shown in pages, shown  # the residents' parts are among the pages checked
    errors = nu_errors(tmp_path)
    lines = [
        f"{written.get(Path(e.get('url', '')).name, e.get('url'))}:{e.get('lastLine')}: {e.get('message')}"
        f"\n    {e.get('extract', '').strip()[:160]}"
        for e in errors
    ]
    assert not errors, f"{len(errors)} Nu HTML checker errors:\n" + "\n".join(lines[:60])
