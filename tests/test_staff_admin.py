"""Admin: assignment changes are audited (before → after) and bump the target's revision;
the audit trail is visible and filterable; admin edits of public data move the publication stamp."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from goals.models import AuditEntry, Department, Report, Target
from goals.planning import publication
from goals.reporting import services
from tests.personas import DAY, as_user


class FormScraper(HTMLParser):
    """The fields of the admin's change form as a browser would submit them (no JS)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._multiple = False
        self._first: str | None = None
        self._textarea: str | None = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
                return
            self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            self._multiple = "multiple" in a
            self._first = None
            self.data.setdefault(name, [])
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            # A single select with nothing marked selected submits its first option.
            if not self._multiple and not self.data[self._select] and self._first is not None:
                self.data[self._select].append(self._first)
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                self.data[self._textarea][0] = self.data[self._textarea][0].lstrip("\n")
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def change_form(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200
    scraper = FormScraper()
    scraper.feed(response.content.decode())
    return {name: values if len(values) != 1 else values[0] for name, values in scraper.data.items()}


def test_it_audits_a_change_of_lead_and_co_departments_and_bumps_the_revision(world, admin):
    target = world.own_target
    third = Department.objects.create(name="丙单位")
    client = as_user(admin)
    url = reverse("admin:goals_target_change", args=[target.pk])
    data = change_form(client, url)
    data.update(lead_department=world.other_department.pk, co_departments=[third.pk, world.own_department.pk])

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.lead_department == world.other_department and target.revision == 1
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ASSIGN)
    assert entry.actor == admin and entry.target == target
    assert entry.changes == {
        "lead_department": ["甲单位", "乙单位"],
        "co_departments": [[], ["丙单位", "甲单位"]],
    }


def test_it_does_not_audit_or_bump_when_the_assignment_is_unchanged(world, admin):
    target = world.own_target
    client = as_user(admin)
    url = reverse("admin:goals_target_change", args=[target.pk])
    data = change_form(client, url)
    data["name"] = "新增托位(含社区)"
    assert client.post(url, data).status_code == 302
    target.refresh_from_db()
    assert target.name == "新增托位(含社区)" and target.revision == 0
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.ASSIGN).exists()


def test_it_never_writes_back_a_revision_an_approval_moved_meanwhile(world, admin, official_own, reviewer):
    target = world.own_target
    client = as_user(admin)
    url = reverse("admin:goals_target_change", args=[target.pk])
    data = change_form(client, url)
    report = services.submit_report(target=target, value=10, as_of=DAY, author=official_own)
    services.approve_report(report=report, reviewer=reviewer)  # revision 0 → 1 while the admin edits
    data["lead_department"] = world.other_department.pk
    assert client.post(url, data).status_code == 302
    assert Target.objects.get(pk=target.pk).revision == 2  # approval + reassignment


def test_it_audits_an_assignment_made_in_a_projects_target_inline(world, admin):
    project = world.own_target.group
    client = as_user(admin)
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = change_form(client, url)
    row = next(
        key[: -len("-code")] for key, value in data.items() if key.endswith("-code") and value == "P1.2"
    )
    data[f"{row}-lead_department"] = world.own_department.pk

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    other = Target.objects.get(pk=world.other_target.pk)
    assert other.lead_department == world.own_department and other.revision == 1
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ASSIGN)
    assert entry.target == other and entry.changes == {"lead_department": ["乙单位", "甲单位"]}
    assert Target.objects.get(pk=world.own_target.pk).revision == 0


def test_it_audits_department_membership(world, admin, official_other):
    client = as_user(admin)
    url = reverse("admin:goals_department_change", args=[world.own_department.pk])
    data = change_form(client, url)
    data["members"] = [official_other.pk]
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EDIT)
    assert entry.changes == {"department": "甲单位", "members": [[], ["official-other"]]}


def test_it_shows_the_audit_trail_to_admins_only_filterable(world, admin, official_own, reviewer):
    report = services.submit_report(target=world.own_target, value=10, as_of=DAY, author=official_own)
    services.return_report(report=report, reviewer=reviewer, reason="请补充佐证")
    client = as_user(admin)
    url = reverse("admin:goals_auditentry_changelist")
    html = client.get(url).content.decode()
    assert "提交报告" in html and "退回报告" in html and "请补充佐证" in html
    filtered = client.get(url, {"action__exact": "return"}).content.decode()
    assert "请补充佐证" in filtered and "value: 10" not in filtered
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RETURN)
    detail = client.get(reverse("admin:goals_auditentry_change", args=[entry.pk]))
    assert detail.status_code == 200 and "请补充佐证" in detail.content.decode()
    assert (
        client.post(reverse("admin:goals_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert as_user(reviewer).get(url).status_code == 302  # not staff: sent to the admin login


@pytest.mark.parametrize("model", ["goals_target", "goals_department", "projects_project"])
def test_it_moves_the_publication_stamp_when_public_data_is_saved(
    world, admin, model, django_capture_on_commit_callbacks
):
    obj = {
        "goals_target": world.own_target,
        "goals_department": world.own_department,
        "projects_project": world.own_target.group,
    }[model]
    client = as_user(admin)
    url = reverse(f"admin:{model}_change", args=[obj.pk])
    data = change_form(client, url)
    stamp = publication.generation()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    assert publication.generation() != stamp


def test_it_audits_an_edit_of_a_targets_fields_before_and_after(world, admin):
    from django.contrib.admin.models import LogEntry

    target = world.own_target
    client = as_user(admin)
    url = reverse("admin:goals_target_change", args=[target.pk])
    data = change_form(client, url)
    data.update(weight="2", target_value="250")
    assert client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EDIT)
    assert entry.target_id == target.pk and entry.actor == admin
    assert entry.changes == {"target_value": ["200", "250"], "weight": ["1", "2"]}
    # The target's history says from what to what, not only "已修改权重。".
    message = LogEntry.objects.get(object_id=str(target.pk)).get_change_message()
    assert "权重:1 → 2" in message and "目标值:200 → 250" in message, message


def test_it_audits_a_target_added_and_deleted_in_the_admin(world, admin):
    client = as_user(admin)
    data = change_form(client, reverse("admin:goals_target_add"))
    data.update(
        plan=world.plan.pk,
        group=world.own_target.group_id,
        code="P1.9",
        name="临时目标",
        wording="临时目标",
        kind="at_least",
        target_value="5",
        unit="个",
        scale="1",
        weight="1",
        order="9",
    )
    response = client.post(reverse("admin:goals_target_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    added = Target.objects.get(code="P1.9")
    assert AuditEntry.objects.get(changes__added="P1.9 临时目标").actor == admin
    response = client.post(reverse("admin:goals_target_delete", args=[added.pk]), {"post": "yes"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not Target.objects.filter(code="P1.9").exists()
    deleted = AuditEntry.objects.get(changes__deleted="P1.9 临时目标")
    assert deleted.changes["target_value"] == "5" and deleted.target is None


def test_the_audit_trail_reads_in_words_with_plain_numbers(world, admin, official_own, reviewer):
    report = services.submit_report(target=world.own_target, value=5300, as_of=DAY, author=official_own)
    services.approve_report(report=report, reviewer=reviewer)
    html = as_user(admin).get(reverse("admin:goals_auditentry_changelist")).content.decode()
    assert "状态:已提交 → 已通过" in html or "状态:待审核 → 已通过" in html, html[
        html.find("field-summary") :
    ][:600]
    assert "数值:5300<" in html and "截至日期:2023-06-30" in html
    assert "5300.0000" not in html and "state:" not in html and "as_of" not in html
    # Django's and django-axes' own words are in Chinese too.
    assert "Filter by" not in html and "按时间筛选" in html
    axes = as_user(admin).get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "登录尝试" in axes and "access attempt" not in axes.lower()
    index = as_user(admin).get(reverse("admin:index")).content.decode()
    assert "登录锁定" in index


def test_it_refuses_to_add_a_report_in_the_admin(world, admin, official_own, reviewer):
    """Reports are made through the services only: an added one would be approved by anyone,
    backdated and unaudited."""
    client = as_user(admin)
    forged = {
        "target": world.own_target.pk,
        "value": "200",
        "as_of": "2023-06-30",
        "state": "approved",
        "author": official_own.pk,
        "reviewer": reviewer.pk,
        "reviewed_at_0": "2023-07-01",
        "reviewed_at_1": "09:00:00",
        "plausibility_flags": "[]",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:goals_report_add"), forged)
    assert not Report.objects.exists() and not AuditEntry.objects.exists()
    assert response.status_code == 403
    changelist = client.get(reverse("admin:goals_report_changelist")).content.decode()
    assert reverse("admin:goals_report_add") not in changelist
    assert reverse("admin:goals_report_add") not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize(
    "model",
    ["goals_report", "goals_evidence", "goals_auditentry", "goals_backuprecord", "goals_remindersent"],
)
def test_records_the_app_writes_cannot_be_added_in_the_admin(world, admin, model):
    client = as_user(admin)
    assert client.get(reverse(f"admin:{model}_add")).status_code == 403
    assert (
        reverse(f"admin:{model}_add") not in client.get(reverse(f"admin:{model}_changelist")).content.decode()
    )


@pytest.mark.parametrize("name", ["学校\x07扩建", "学校\x0c扩建", "\x7f学校"])
def test_it_refuses_a_target_name_with_a_control_character_beside_the_field(world, admin, name):
    # Pasted from another document, a name can carry invisible control characters; stored,
    # they broke every spreadsheet download (openpyxl refuses such a cell).
    target = world.own_target
    client = as_user(admin)
    url = reverse("admin:goals_target_change", args=[target.pk])
    data = change_form(client, url)
    before = Target.objects.get(pk=target.pk).name
    data["name"] = name

    response = client.post(url, data)

    assert response.status_code == 200
    assert "不可见的控制字符" in response.content.decode()
    assert Target.objects.get(pk=target.pk).name == before
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.EDIT).exists()
    # Tabs and line breaks are text, not control characters to refuse.
    data["name"] = "学校\t扩建"
    assert client.post(url, data).status_code == 302


def test_it_refuses_control_characters_in_a_projects_target_inline_and_a_department(world, admin):
    project = world.own_target.group
    client = as_user(admin)
    url = reverse("admin:projects_project_change", args=[project.pk])
    data = change_form(client, url)
    row = next(
        key[: -len("-code")] for key, value in data.items() if key.endswith("-code") and value == "P1.2"
    )
    data[f"{row}-name"] = "新建\x1b公园"
    response = client.post(url, data)
    assert response.status_code == 200 and "不可见的控制字符" in response.content.decode()
    assert "\x1b" not in Target.objects.get(pk=world.other_target.pk).name

    department = world.own_department
    url = reverse("admin:goals_department_change", args=[department.pk])
    data = change_form(client, url)
    data["name"] = "甲\x08单位"
    response = client.post(url, data)
    assert response.status_code == 200 and "不可见的控制字符" in response.content.decode()
    assert Department.objects.get(pk=department.pk).name == department.name
