"""/readyz: 200 when the database answers, migrations are applied and the cache works; else 503."""

from __future__ import annotations

import contextlib
import json

import pytest
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.urls import reverse

pytestmark = pytest.mark.django_db


def ready(client) -> tuple[int, dict]:
    response = client.get(reverse("readyz"))
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(response.content)


@contextlib.contextmanager
def unreachable_database(tmp_path):
    """The default connection swapped for one to a database that does not exist."""
    settings_dict = dict(connections["default"].settings_dict)
    if settings_dict["ENGINE"].endswith("sqlite3"):
        settings_dict["NAME"] = str(tmp_path / "no-such-directory" / "db.sqlite3")
    else:
        settings_dict["NAME"] = "goals_no_such_database"
    broken = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
    original = connections["default"]
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = original


def test_it_answers_200_when_everything_is_ready(client):
    status, body = ready(client)
    assert status == 200
    assert body == {"status": "ok", "checks": {"database": "ok", "migrations": "ok", "cache": "ok"}}


def test_it_answers_503_when_the_database_cannot_be_reached(client, tmp_path):
    with unreachable_database(tmp_path):
        status, body = ready(client)
    assert status == 503 and body["status"] == "unavailable"
    assert "数据库无法连接" in body["checks"]["database"]
    assert body["checks"]["migrations"] != "ok" and body["checks"]["cache"] == "ok"


def test_it_answers_503_when_a_migration_is_not_applied(client):
    (app, name), *_ = MigrationLoader(connection).graph.leaf_nodes("goals")
    MigrationRecorder.Migration.objects.filter(app=app, name=name).delete()
    status, body = ready(client)
    assert status == 503
    assert f"goals.{name}" in body["checks"]["migrations"]
    assert body["checks"]["database"] == "ok"


def test_it_answers_503_when_the_cache_server_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",  # the discard port: nothing listens
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    status, body = ready(client)
    assert status == 503
    assert "缓存无法使用" in body["checks"]["cache"]


def test_it_answers_503_when_the_cache_keeps_nothing(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    status, body = ready(client)
    assert status == 503
    assert "缓存没有保存" in body["checks"]["cache"]


def test_it_explains_in_english_under_en(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/en/readyz")
    assert response.status_code == 503
    assert "cache" in json.loads(response.content)["checks"]["cache"].lower()
