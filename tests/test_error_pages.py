"""Error pages with DEBUG off: the site's look, Chinese (English under /en/), a way back.

pytest-django runs the tests with DEBUG off, so these are the pages production serves.
The 500 page is checked on a real server whose database cannot be reached.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from django.test import Client

from tests.builders import make_user
from tests.personas import as_user

ROOT = Path(__file__).resolve().parent.parent
BRAND = "常州经开区 · 2024 工作目标追踪"


def page(response) -> str:
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    return response.content.decode()


def test_it_answers_an_unknown_public_url_with_a_chinese_404_page(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert "页面不存在" in html and BRAND in html and 'lang="zh-hans"' in html
    assert '<a href="/">返回首页</a>' in html


def test_it_answers_in_english_under_en(db):
    response = Client().get("/en/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert "Page not found" in html and 'lang="en"' in html and "页面不存在" not in html
    assert '<a href="/en/">Back to the home page</a>' in html


def test_it_answers_an_unknown_target_with_the_404_page(seeded):
    response = Client().get("/targets/P99.9/")
    assert response.status_code == 404
    assert "页面不存在" in page(response)


def test_it_sends_staff_back_to_the_workspace(official_own):
    response = as_user(official_own).get("/staff/no-such-page/")
    assert response.status_code == 404
    html = page(response)
    assert "页面不存在" in html and '<a href="/staff/">返回工作台</a>' in html


def test_it_keeps_the_staff_refusal_pages(official_own):
    response = as_user(official_own).get("/staff/review/")
    assert response.status_code == 403
    html = page(response)
    assert "无权访问" in html and "返回工作台" in html and "退出登录" in html  # staff/refused.html


def test_it_answers_admin_urls_with_the_branded_pages(db):
    clerk = make_user("clerk", is_staff=True)  # may enter the admin, may change nothing
    client = as_user(clerk)
    missing = client.get("/admin/no-such-page/")
    assert missing.status_code == 404
    assert "页面不存在" in page(missing) and '<a href="/admin/">返回后台管理</a>' in page(missing)
    refused = client.get("/admin/goals/target/add/")
    assert refused.status_code == 403
    assert "无权访问" in page(refused) and BRAND in page(refused)


def test_it_answers_a_bad_host_with_a_chinese_400_page(db):
    response = Client(HTTP_HOST="evil.example").get("/")
    assert response.status_code == 400
    assert "请求有误" in page(response) and BRAND in page(response)


def test_it_answers_a_form_without_its_csrf_token_with_a_chinese_page(db):
    response = Client(enforce_csrf_checks=True).post("/staff/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in page(response) and BRAND in page(response)


# ------------------------------------------------------------------ 500, database down


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, **headers: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_it_serves_the_500_page_when_the_database_is_down():
    port = free_port()
    with tempfile.TemporaryDirectory() as nowhere:
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "WEB_CONCURRENCY"}}
        env.update(
            DEBUG="0",
            TESTING="1",  # plain static storage: no collectstatic needed for this page
            SECRET_KEY="error-pages-test-" + "x" * 40,
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            DATABASE_URL=f"postgres://goals@/goals?host={nowhere}",  # no server there
            HOST="127.0.0.1",
            PORT=str(port),
            WEB_CONCURRENCY="1",
            LOG_LEVEL="WARNING",
        )
        server = subprocess.Popen(  # noqa: S603
            [str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    status, html = get(port, "/")
                    break
                except OSError:
                    assert server.poll() is None, server.stderr.read()
                    assert time.monotonic() < deadline, "gunicorn did not start"
                    time.sleep(0.2)
            assert status == 500
            assert "服务器出错" in html and BRAND in html and '<a href="/">返回首页</a>' in html
            status, html = get(port, "/en/targets/")
            assert status == 500 and "Server error" in html and 'lang="en"' in html
            # A signed-in official's session is read from the database: the staff 500 page.
            status, html = get(port, "/staff/", Cookie="sessionid=abcdefghijklmnopqrstuvwxyz012345")
            assert status == 500 and '<a href="/staff/">返回工作台</a>' in html
        finally:
            server.terminate()
            _, log = server.communicate(timeout=30)
    assert log.count("Internal Server Error: /en/targets/") == 1, log[-3000:]
