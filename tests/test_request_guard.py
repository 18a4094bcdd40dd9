"""Bad input never reaches the database: control characters, overlong usernames, forged ids,
oversized bodies and anonymous staff POSTs are answered 4xx with a message, changing nothing."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.test.client import encode_multipart
from django.urls import reverse

from goals.models import AuditEntry, Evidence, Report
from goals.reporting import services
from tests.builders import HTMX
from tests.personas import DAY, as_user
from tests.samples import PDF


def snapshot() -> tuple:
    return (
        list(Report.objects.order_by("id").values_list("id", "state", "return_reason")),
        AuditEntry.objects.count(),
        Evidence.objects.count(),
    )


def report_data(target, **fields) -> dict:
    values = {"value": "120", "as_of": DAY.isoformat(), "revision": target.revision, **fields}
    return {f"t{target.pk}-{key}": value for key, value in values.items()}


# ------------------------------------------------------------------ control characters


@pytest.mark.parametrize("path", ["/targets/P1.3%00/", "/en/targets/%00/", "/staff/reports/1%00/approve/"])
def test_it_answers_404_for_a_nul_in_the_path(db, path):
    response = Client().get(path)
    assert response.status_code == 404
    text = response.content.decode()
    assert ("控制字符" in text) if not path.startswith("/en/") else ("control character" in text)
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("query", ["?q=%00", "?q=a%01b", "?as_of=2024-06-30%0d%0a", "?status=%7f"])
def test_it_answers_400_for_a_control_character_in_the_query(db, query):
    response = Client().get(reverse("targets") + query)
    assert response.status_code == 400
    assert "查询参数中含有不允许的控制字符" in response.content.decode()


def test_it_refuses_a_nul_in_the_return_reason_and_changes_nothing(world, official_own, reviewer):
    report = services.submit_report(target=world.own_target, value=5, as_of=DAY, author=official_own)
    before = snapshot()
    response = as_user(reviewer).post(
        reverse("return_report", args=[report.pk]), {"reason": "照片\x00不清"}, headers=HTMX
    )
    assert response.status_code == 400
    assert "空字符" in response.content.decode()
    assert snapshot() == before


def test_it_refuses_other_control_characters_in_a_reason_beside_the_field(world, official_own, reviewer):
    report = services.submit_report(target=world.own_target, value=5, as_of=DAY, author=official_own)
    before = snapshot()
    response = as_user(reviewer).post(
        reverse("return_report", args=[report.pk]), {"reason": "照片\x0b不清"}, headers=HTMX
    )
    assert response.status_code == 422
    assert "控制字符" in response.content.decode()
    assert snapshot() == before


def test_it_refuses_control_characters_in_a_report_note(world, official_own):
    target = world.own_target
    before = snapshot()
    response = as_user(official_own).post(
        reverse("report_target", args=[target.code]), report_data(target, note="一期\x1b[31m"), headers=HTMX
    )
    assert response.status_code == 422
    assert "控制字符" in response.content.decode()
    assert snapshot() == before


def test_it_keeps_line_breaks_and_tabs_in_a_note(world, official_own):
    target = world.own_target
    response = as_user(official_own).post(
        reverse("report_target", args=[target.code]), report_data(target, note="一期\r\n\t二期"), headers=HTMX
    )
    assert response.status_code == 200
    assert Report.objects.get().note == "一期\r\n\t二期"


# ------------------------------------------------------------------------------ sign-in


def test_it_refuses_an_overlong_username_and_counts_it_toward_the_lockout(db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    name = "管" * 256
    answers = [Client().post(reverse("login"), {"username": name, "password": "whatever"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert "请输入一个正确的" in answers[0].content.decode()
    attempt = AccessAttempt.objects.get()
    assert attempt.username == "管" * 150 and attempt.failures_since_start == 3


def test_it_refuses_an_overlong_username_on_the_admin_sign_in(db):
    response = Client().post("/admin/login/", {"username": "a" * 300, "password": "whatever"})
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "a" * 150


def test_it_refuses_control_characters_in_a_username(db):
    response = Client().post(reverse("login"), {"username": "adm\x01in", "password": "whatever"})
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "admin"


# ------------------------------------------------------------------------- forged ids


def test_bulk_approval_reads_ids_by_a_strict_ascii_rule(world, official_own, reviewer):
    report = services.submit_report(target=world.own_target, value=5, as_of=DAY, author=official_own)
    response = as_user(reviewer).post(
        reverse("bulk_approve"), {"report": ["²", "١", "1e3", "-1", "9" * 40, f" {report.pk}"]}, headers=HTMX
    )
    assert response.status_code == 200
    assert "请先勾选" in response.content.decode()
    assert Report.objects.get().state == Report.State.SUBMITTED
    ok = as_user(reviewer).post(reverse("bulk_approve"), {"report": [str(report.pk)]}, headers=HTMX)
    assert ok.status_code == 200 and Report.objects.get().state == Report.State.APPROVED


# ---------------------------------------------------------------- file names and sizes


def multipart_with_file(fields: dict, field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """A form body with one file part named exactly `filename` (the test client would refuse)."""
    boundary = "----guard-boundary"
    body = encode_multipart(boundary, fields).removesuffix(f"--{boundary}--\r\n".encode())
    body += (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize("name", ["..", ".", "///", "a/..", "\\\\"])
def test_it_refuses_an_evidence_file_whose_name_names_nothing(world, official_own, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path
    target = world.own_target
    body, content_type = multipart_with_file(report_data(target), f"t{target.pk}-evidence", name, PDF)
    before = snapshot()
    response = as_user(official_own).post(
        reverse("report_target", args=[target.code]), body, content_type=content_type, headers=HTMX
    )
    assert response.status_code == 422
    assert "文件名" in response.content.decode() and "无效" in response.content.decode()
    assert snapshot() == before


def raw_request(live_server, head: str, body: bytes = b"", timeout: float = 10) -> bytes:
    """Send a request by hand; return what the server answered before `timeout`."""
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as conn:
        conn.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        received = b""
        try:
            while chunk := conn.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received:
                    break
        except TimeoutError:
            pass
    return received


@pytest.mark.django_db(transaction=True)
def test_it_refuses_an_oversized_body_before_reading_it(live_server, settings):
    # 50 MiB announced, nothing sent: a server that tried to read it would wait, not answer.
    answer = raw_request(
        live_server,
        "POST /staff/targets/P1.1/report/ HTTP/1.1\nHost: localhost\n"
        "Content-Type: multipart/form-data; boundary=x\nContent-Length: 52428800\nConnection: close\n",
    )
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


@pytest.mark.django_db(transaction=True)
def test_it_refuses_an_anonymous_staff_post_before_reading_it(live_server):
    answer = raw_request(
        live_server,
        "POST /staff/review/approve/ HTTP/1.1\nHost: localhost\n"
        "Content-Type: multipart/form-data; boundary=x\nContent-Length: 1048576\nConnection: close\n",
    )
    assert answer.startswith(b"HTTP/1.1 302"), answer[:200]
    assert b"/staff/login/?next=" in answer


def test_it_says_the_session_ended_to_an_anonymous_htmx_post(db):
    response = Client().post(reverse("bulk_approve"), {"report": ["1"]}, headers=HTMX)
    assert response.status_code == 401
    assert "登录已过期" in response.content.decode()


def test_an_anonymous_client_may_still_post_the_sign_in_form(official_own):
    response = Client().post(reverse("login"), {"username": "official-own", "password": "pw-official-own"})
    assert response.status_code == 302
