"""Sign-in, sign-out, password change, lockout (django-axes), roles, and demo accounts."""

from __future__ import annotations

import importlib
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from goals.accounts.permissions import ADMIN, OFFICIAL, REVIEWER, ensure_roles
from goals.models import AuditEntry, Department, Target
from tests.personas import as_user

PASSWORD = "pw-official-own"  # tests.builders.make_user's default for "official-own"


def sign_in(client: Client, username: str, password: str, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def test_it_shows_a_chinese_sign_in_page_that_is_never_cached(db):
    response = Client().get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "工作人员登录" in html and 'name="username"' in html and "csrfmiddlewaretoken" in html
    assert "no-store" in response["Cache-Control"]


def test_it_signs_in_to_the_workspace(official_own):
    client = Client()
    response = sign_in(client, "official-own", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("workspace")
    assert client.get(reverse("workspace")).status_code == 200


def test_it_refuses_a_wrong_password_in_chinese(official_own):
    response = sign_in(Client(), "official-own", "wrong")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_it_signs_out_by_post_only(official_own):
    client = as_user(official_own)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 200 and "您已退出登录" in response.content.decode()
    assert client.get(reverse("workspace")).status_code == 302


def test_it_changes_the_password(official_own):
    client = as_user(official_own)
    assert client.get(reverse("password_change")).status_code == 200
    bad = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    )
    assert bad.status_code == 200 and "旧密码不正确" in bad.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Kai-fa-qu-2024!", "new_password2": "Kai-fa-qu-2024!"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("password_change_done")
    official_own.refresh_from_db()
    assert official_own.check_password("Kai-fa-qu-2024!")
    assert client.get(reverse("workspace")).status_code == 200  # still signed in


def test_it_locks_out_a_username_from_one_address_after_repeated_failures(official_own, settings):
    settings.AXES_FAILURE_LIMIT = 3
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    assert sign_in(attacker, "official-own", "guess-1").status_code == 200
    assert sign_in(attacker, "official-own", "guess-2").status_code == 200
    locked = sign_in(attacker, "official-own", "guess-3")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "登录已被暂时锁定" in html and "连续 3 次登录失败" in html and "30 分钟" in html
    # Even the right password is refused from there now …
    assert sign_in(attacker, "official-own", PASSWORD).status_code == 429
    # … but the official signs in from their own address, and others from the same one.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.7"), "official-own", PASSWORD).status_code == 302


def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(official_own, settings):
    # With no trusted proxy (TRUSTED_PROXY_COUNT=0, the default) only REMOTE_ADDR counts.
    settings.AXES_FAILURE_LIMIT = 2
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    sign_in(attacker, "official-own", "guess-1", HTTP_X_FORWARDED_FOR="192.0.2.1")
    sign_in(attacker, "official-own", "guess-2", HTTP_X_FORWARDED_FOR="192.0.2.2")
    forged = sign_in(attacker, "official-own", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.3")
    assert forged.status_code == 429


def test_it_documents_a_reset_that_clears_the_lockout(official_own, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client(REMOTE_ADDR="203.0.113.9")
    sign_in(client, "official-own", "guess-1")
    assert sign_in(client, "official-own", "guess-2").status_code == 429
    call_command("axes_reset_username", "official-own", stdout=io.StringIO())
    assert sign_in(client, "official-own", PASSWORD).status_code == 302


# --- roles ----------------------------------------------------------------------------------


def role_permissions() -> dict[str, set[str]]:
    return {
        group.name: {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        for group in Group.objects.prefetch_related("permissions__content_type")
    }


def test_the_migration_creates_the_roles_that_ensure_roles_describes(db):
    created = role_permissions()
    assert set(created) >= {OFFICIAL, REVIEWER, ADMIN}
    assert created[OFFICIAL] == {"goals.submit_report", "goals.view_target"}
    assert created[REVIEWER] == {
        "goals.review_report",
        "goals.view_report",
        "goals.view_target",
        "goals.close_plan",
    }
    assert {"goals.oversee_reports", "goals.change_target", "auth.change_user"} <= created[ADMIN]
    ensure_roles()
    assert role_permissions() == created


def test_the_roles_migration_is_idempotent_and_reversible(db):
    migration = importlib.import_module("goals.migrations.0003_roles")
    state_apps = MigrationExecutor(connection).loader.project_state(("goals", "0003_roles")).apps
    before = role_permissions()
    migration.create_roles(state_apps, None)
    migration.create_roles(state_apps, None)
    assert role_permissions() == before
    migration.delete_roles(state_apps, None)
    assert not Group.objects.filter(name__in=[OFFICIAL, REVIEWER, ADMIN]).exists()


# --- demo accounts ------------------------------------------------------------------------


def run_demo() -> str:
    out = io.StringIO()
    call_command("create_demo_accounts", stdout=out)
    return out.getvalue()


def passwords(output: str) -> dict[str, str]:
    return dict(re.findall(r"^\s+(demo-[a-z-]+)\s+(\S+)", output, flags=re.MULTILINE))


def test_it_creates_one_account_per_role_with_printed_random_passwords(seeded, settings):
    settings.DEBUG = True
    output = run_demo()
    found = passwords(output)
    assert set(found) == {"demo-official-a", "demo-official-b", "demo-head", "demo-reviewer", "demo-admin"}
    users = {u.username: u for u in get_user_model().objects.filter(username__in=found)}
    for username, password in found.items():
        assert users[username].check_password(password) and len(password) >= 16
    assert list(users["demo-official-a"].departments.values_list("name", flat=True)) == ["遥观镇"]
    assert list(users["demo-official-b"].departments.values_list("name", flat=True)) == ["潞城街道"]
    assert users["demo-official-a"].has_perm("goals.submit_report")
    assert users["demo-reviewer"].has_perm("goals.review_report")
    assert list(users["demo-head"].departments.values_list("name", flat=True)) == ["遥观镇"]
    assert users["demo-head"].has_perm("goals.confirm_report")
    assert not users["demo-head"].has_perm("goals.submit_report")
    assert not users["demo-reviewer"].has_perm("goals.submit_report")
    assert users["demo-admin"].is_superuser and users["demo-admin"].is_staff
    led = dict(
        Target.objects.filter(plan=seeded, lead_department__isnull=False).values_list(
            "code", "lead_department__name"
        )
    )
    assert led == {
        "P1.3": "遥观镇",
        "P4.1": "遥观镇",
        "P8.1": "遥观镇",
        "P4.2": "潞城街道",
        "P9.3": "潞城街道",
        "P10.1": "潞城街道",
    }
    assert "P1.3 新增托位 → 由 遥观镇 牵头" in output
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ASSIGN).count() == 6
    assert Target.objects.get(plan=seeded, code="P1.3").revision == 1
    # Each official's workspace shows what their department leads.
    html = as_user(users["demo-official-b"]).get(reverse("workspace")).content.decode()
    assert "P9.3" in html and "P1.3" not in html


def test_it_resets_the_accounts_and_leaves_admins_assignments_alone(seeded, settings):
    settings.DEBUG = True
    Target.objects.filter(plan=seeded, code="P4.2").update(
        lead_department=Department.objects.get(name="横林镇")
    )
    first = passwords(run_demo())
    second_output = run_demo()
    second = passwords(second_output)
    assert all(first[name] != second[name] for name in first)
    assert get_user_model().objects.filter(username__startswith="demo-").count() == 5
    assert Target.objects.get(plan=seeded, code="P4.2").lead_department.name == "横林镇"
    assert "P4.2 已由 横林镇 牵头,未改动" in second_output


def test_it_refuses_to_run_with_debug_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG 已关闭"):
        run_demo()
    assert not get_user_model().objects.filter(username__startswith="demo-").exists()
