"""Notification channels against a real local HTTP server (http.server in a thread on
127.0.0.1) that plays a WeCom robot, a DingTalk robot (checking the signature as DingTalk
does) and an SMS gateway: the payloads, the signatures, retries with back-off through the
task worker, failures in the delivery log and the admin, and the reminders' channel step."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from goals.accounts.permissions import ADMIN, ensure_roles
from goals.channels import deliveries, transport
from goals.models import Channel, Delivery, Department, Target
from goals.reminders import services as reminders
from tests.builders import make_user
from tests.personas import as_user

SECRET = "SEC0123456789abcdef"
BEFORE = datetime.date(2024, 7, 2)  # June's reports are due on 5 July: 3 days ahead
MONDAY = datetime.date(2024, 7, 8)  # past that deadline, and the weekly digest's day


class Robot:
    """What the fake server received, and what it answers next."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.answers: list[tuple[int, dict]] = []  # consumed first; then 200 errcode 0

    def answer(self) -> tuple[int, dict]:
        return self.answers.pop(0) if self.answers else (200, {"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def robot():
    state = Robot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            record = {
                "path": parts.path,
                "query": query,
                "headers": dict(self.headers),
                "body": body,
                "json": json.loads(body),
            }
            status, answer = state.answer()
            if parts.path == "/dingtalk" and "sign" in query:  # DingTalk checks the signature itself
                to_sign = f"{query['timestamp']}\n{SECRET}".encode()
                expected = base64.b64encode(hmac.new(SECRET.encode(), to_sign, hashlib.sha256).digest())
                record["signature_ok"] = query["sign"].encode() == expected
                if not record["signature_ok"]:
                    status, answer = 200, {"errcode": 310000, "errmsg": "sign not match"}
                record["fresh"] = abs(time.time() * 1000 - int(query["timestamp"])) < 3_600_000
            state.received.append(record)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


MESSAGE = transport.Message(
    "【报送提醒】1 项目标", "### 报送提醒\n\n- **P1.3** 新增托位", "遥观镇", "before", "2024-07-05"
)


def test_wecom_gets_its_markdown_message(robot):
    transport.post("wecom", robot.url + "/wecom?key=abc", "", MESSAGE)
    (got,) = robot.received
    assert got["query"] == {"key": "abc"}
    assert got["json"] == {"msgtype": "markdown", "markdown": {"content": MESSAGE.text}}
    assert got["headers"]["Content-Type"] == "application/json; charset=utf-8"


def test_dingtalk_gets_a_signed_markdown_message(robot):
    transport.post("dingtalk", robot.url + "/dingtalk?access_token=t", SECRET, MESSAGE)
    (got,) = robot.received
    assert got["signature_ok"] and got["fresh"] and got["query"]["access_token"] == "t"
    assert got["json"] == {"msgtype": "markdown", "markdown": {"title": MESSAGE.title, "text": MESSAGE.text}}


def test_a_wrong_dingtalk_secret_is_a_failure_saying_why(robot):
    with pytest.raises(transport.Failed, match="errcode 310000"):
        transport.post("dingtalk", robot.url + "/dingtalk?access_token=t", "SECwrong", MESSAGE)
    assert robot.received[0]["signature_ok"] is False


def test_the_sign_is_the_url_encoded_base64_of_the_hmac():
    # DingTalk's documented example: the + / = of base64 are URL-encoded.
    digest = hmac.new(b"s", b"1700000000000\ns", hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode().replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    assert transport.dingtalk_sign("s", 1700000000000) == expected


def test_a_generic_webhook_gets_json_signed_with_the_secret(robot):
    transport.post("webhook", robot.url + "/sms", "gateway-secret", MESSAGE)
    (got,) = robot.received
    assert got["json"] == {
        "title": MESSAGE.title,
        "text": MESSAGE.text,
        "department": "遥观镇",
        "kind": "before",
        "occasion": "2024-07-05",
    }
    expected = hmac.new(b"gateway-secret", got["body"], hashlib.sha256).hexdigest()
    assert got["headers"]["X-Signature"] == f"sha256={expected}"


def test_errors_become_failures(robot):
    robot.answers = [(500, {"error": "down"})]
    with pytest.raises(transport.Failed, match="HTTP 500"):
        transport.post("webhook", robot.url + "/sms", "", MESSAGE)
    with pytest.raises(transport.Failed, match="not an http"):
        transport.post("webhook", "file:///etc/passwd", "", MESSAGE)
    with pytest.raises(transport.Failed, match="URLError|ConnectionRefused"):
        transport.post("webhook", "http://127.0.0.1:9/closed", "", MESSAGE)


def test_a_long_message_is_clipped_to_what_wecom_accepts(robot):
    long = transport.Message("t", "很长的内容" * 2000)
    transport.post("wecom", robot.url + "/wecom", "", long)
    assert len(robot.received[0]["json"]["markdown"]["content"].encode()) <= transport.LIMITS["wecom"]


@pytest.fixture
def channels(robot, seeded):
    town = Department.objects.get(name="遥观镇")
    Target.objects.filter(plan=seeded, code__in=["P1.3", "P4.1"]).update(lead_department=town)
    return {
        "wecom": Channel.objects.create(department=town, kind="wecom", url=robot.url + "/wecom?key=k"),
        "dingtalk": Channel.objects.create(
            department=town, kind="dingtalk", url=robot.url + "/dingtalk?access_token=t", secret=SECRET
        ),
        "off": Channel.objects.create(
            department=Department.objects.get(name="横林镇"),
            kind="wecom",
            url=robot.url + "/off",
            enabled=False,
        ),
    }


def test_the_channel_step_builds_each_departments_reminders(channels, settings):
    settings.REMINDER_DAYS_BEFORE = 3
    settings.SITE_URL = "https://goals.example.gov.cn"
    found = reminders.channel_messages(BEFORE)
    assert {m.channel for m in found} == {channels["wecom"], channels["dingtalk"]}
    message = next(m for m in found if m.channel == channels["wecom"])
    assert message.kind == "before" and message.occasion == "2024-07-05"
    assert "**P1.3**" in message.text and "**P4.1**" in message.text and "遥观镇" in message.text
    assert "](https://goals.example.gov.cn/staff/)" in message.text
    settings.DIGEST_WEEKDAY = 0
    monday = reminders.channel_messages(MONDAY)
    assert {m.kind for m in monday} == {"after", "digest"}
    overdue = {m.channel.kind: m.text for m in monday if m.kind == "after"}
    assert overdue["wecom"].startswith('### <font color="warning">【逾期提醒】')
    assert overdue["dingtalk"].startswith("### 【逾期提醒】")
    digest = next(m for m in monday if m.kind == "digest")
    assert "遥观镇" in digest.text and "红灯" in digest.text


def test_once_per_channel_and_occasion(channels, settings, django_capture_on_commit_callbacks):
    settings.REMINDER_DAYS_BEFORE = 3
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.send_to_channels(BEFORE) == 2
        assert reminders.send_to_channels(BEFORE) == 0
    assert DBTaskResult.objects.count() == 2


def test_a_failed_attempt_is_logged_and_retried_later(
    channels, robot, settings, django_capture_on_commit_callbacks
):
    settings.CHANNEL_RETRY_DELAYS = (60, 300)
    robot.answers = [(502, {}), (502, {}), (502, {})]
    delivery = deliveries.queue(
        channels["wecom"], kind="before", occasion="x", title="t", text="x", enqueue=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries.attempt(delivery) is False
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.error) == ("retrying", 1, "HTTP 502 Bad Gateway")
    retry = DBTaskResult.objects.get()
    assert 50 <= (retry.run_after - delivery.created_at).total_seconds() <= 70
    deliveries.attempt(delivery)
    assert deliveries.attempt(delivery) is False  # the third attempt: no delays left
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("failed", 3)
    boss = make_user("channels-admin", is_staff=True)
    ensure_roles()
    boss.groups.add(Group.objects.get(name=ADMIN))
    html = as_user(boss).get(reverse("admin:goals_delivery_changelist")).content.decode()
    assert "HTTP 502 Bad Gateway" in html and "发送失败" in html


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_and_retries_with_back_off(robot, seeded_live, settings):
    # A real transaction and the real worker (django-tasks-db), as in production.
    settings.REMINDER_DAYS_BEFORE = 3
    settings.CHANNEL_RETRY_DELAYS = (0, 0)
    town = Department.objects.get(name="遥观镇")
    Target.objects.filter(plan=seeded_live, code="P1.3").update(lead_department=town)
    Channel.objects.create(
        department=town, kind="dingtalk", url=robot.url + "/dingtalk?access_token=t", secret=SECRET
    )
    robot.answers = [(503, {})]  # the first attempt fails, the retry goes through
    out = StringIO()
    call_command("send_reminders", "--as-of", BEFORE.isoformat(), stdout=out)
    assert "已排队发往群机器人等通知渠道 1 条消息" in out.getvalue()
    assert robot.received == []  # queued, not sent inside the command
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(), stderr=StringIO())
    assert len(robot.received) == 2 and robot.received[-1]["signature_ok"]
    assert "P1.3" in robot.received[-1]["json"]["markdown"]["text"]
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.error) == ("sent", 2, "")


def test_the_admin_sends_a_test_message(channels, robot):
    boss = make_user("channels-admin", is_staff=True)
    ensure_roles()
    boss.groups.add(Group.objects.get(name=ADMIN))
    url = reverse("admin:goals_channel_changelist")
    response = as_user(boss).post(
        url, {"action": "send_test", "_selected_action": [channels["dingtalk"].pk]}, follow=True
    )
    assert response.status_code == 200 and robot.received[0]["signature_ok"]
    assert Delivery.objects.get().state == "sent"


def test_a_failed_test_message_is_reported_at_once_and_not_retried(channels, robot):
    boss = make_user("channels-admin", is_staff=True)
    ensure_roles()
    boss.groups.add(Group.objects.get(name=ADMIN))
    robot.answers = [(500, {})]
    url = reverse("admin:goals_channel_changelist")
    response = as_user(boss).post(
        url, {"action": "send_test", "_selected_action": [channels["wecom"].pk]}, follow=True
    )
    assert "发送失败 HTTP 500" in response.content.decode()
    assert Delivery.objects.get().state == "failed" and not DBTaskResult.objects.exists()


def test_retry_delays_come_from_the_environment_and_bad_ones_stop_start_up():
    from tests.test_infra import start_django

    result = start_django(DEBUG="1", CHANNEL_RETRY_DELAYS="60,soon")
    assert result.returncode != 0
    assert "CHANNEL_RETRY_DELAYS must be whole numbers of seconds" in result.stderr
    assert start_django(DEBUG="1", CHANNEL_RETRY_DELAYS="30, 120").returncode == 0
