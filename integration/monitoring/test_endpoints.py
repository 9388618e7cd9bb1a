"""/healthz, /readyz and /metrics as a load balancer, Prometheus and a person call them."""

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db.utils import ConnectionHandler
from django.test import override_settings
from django.utils import timezone

from config.tests.clients import api_client_for
from monitoring import services
from monitoring.beat import HeartbeatScheduler
from monitoring.models import Heartbeat
from stores.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (taken from the system, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers_while_the_process_serves(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_reports_every_check_and_beat_missing_until_it_beats(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "broker": "ok", "beat": "missing"}

    services.heartbeat_write()
    body = client.get("/readyz").json()
    assert body["checks"]["beat"] == "ok"
    assert body["beat"]["age_seconds"] <= 2


def test_a_heartbeat_older_than_two_intervals_is_stale_but_the_process_stays_ready(client):
    services.heartbeat_write(at=timezone.now() - timedelta(seconds=2 * settings.BEAT_HEARTBEAT_SECONDS + 5))
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["beat"] == "stale"

    services.heartbeat_write(at=timezone.now() - timedelta(seconds=2 * settings.BEAT_HEARTBEAT_SECONDS - 5))
    assert client.get("/readyz").json()["checks"]["beat"] == "ok"


def test_readyz_answers_503_naming_the_broker_when_it_is_down(client):
    with override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{closed_port()}/3", READINESS_BROKER_TIMEOUT=1):
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"] == "down"
    assert body["checks"]["database"] == "ok"
    assert "Connection" not in response.content.decode()  # the reason stays in the server's log


def test_readyz_answers_503_naming_the_database_when_it_is_down(client, monkeypatch, tmp_path):
    """A real connection to a database that cannot be reached (not the test's own connection)."""
    unreachable = dict(settings.DATABASES["default"])
    if "sqlite" in unreachable["ENGINE"] or unreachable["ENGINE"] == "config.sqlite":
        unreachable["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    else:
        # Without the pool: Django keeps one pool per alias, which would hand out the real server.
        options = {key: value for key, value in unreachable.get("OPTIONS", {}).items() if key != "pool"}
        unreachable.update(HOST="127.0.0.1", PORT=str(closed_port()), OPTIONS=options)
    broken = ConnectionHandler({"default": unreachable})
    monkeypatch.setattr(services, "connections", broken)
    try:
        response = client.get("/readyz")
    finally:
        broken.close_all()
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["database"] == "down"
    assert body["checks"]["broker"] == "ok"


def test_beats_scheduler_writes_the_heartbeat_once_per_interval():
    """(A real beat process writes it too: integration/monitoring/test_processes.py.)"""
    from config.celery import app

    scheduler = HeartbeatScheduler(app=app, lazy=True)
    assert not Heartbeat.objects.exists()
    assert scheduler.heartbeat_if_due() == pytest.approx(settings.BEAT_HEARTBEAT_SECONDS, abs=1)
    first = Heartbeat.objects.get(name=services.BEAT).beat_at
    scheduler.heartbeat_if_due()  # within the interval: nothing new
    assert Heartbeat.objects.get(name=services.BEAT).beat_at == first
    scheduler._heartbeat_due = 0
    scheduler.heartbeat_if_due()
    assert Heartbeat.objects.get(name=services.BEAT).beat_at > first


def test_the_readiness_command_says_what_is_up():
    import os

    from config.tests.processes import child_database_url

    result = subprocess.run(
        [sys.executable, "manage.py", "readiness"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "DATABASE_URL": child_database_url()},
    )
    assert "Ready: database ok, broker ok, beat missing" in result.stdout, result.stderr
    assert result.returncode == 0


# --- /metrics -------------------------------------------------------------------------------


def test_metrics_need_a_platform_admin_or_the_metrics_token(client, store_user):
    assert api_client_for(None).get("/metrics").status_code == 401
    assert api_client_for(store_user).get("/metrics").status_code == 403
    staff = UserFactory(is_staff=True)
    assert api_client_for(staff).get("/metrics").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_metrics"))
    assert api_client_for(UserFactory(username=staff.username)).get("/metrics").status_code == 200

    with override_settings(METRICS_TOKEN="scrape-secret-0123456789"):
        scraper = api_client_for(None)
        scraper.credentials(HTTP_AUTHORIZATION="Bearer scrape-secret-0123456789")
        response = scraper.get("/metrics")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        scraper.credentials(HTTP_AUTHORIZATION="Bearer scrape-secret-wrong")
        assert scraper.get("/metrics").status_code == 401
    # Without a METRICS_TOKEN set, no bearer value opens /metrics.
    scraper.credentials(HTTP_AUTHORIZATION="Bearer ")
    assert scraper.get("/metrics").status_code == 401


def test_metrics_carry_readiness(admin_api):
    services.heartbeat_write()
    text = admin_api.get("/metrics").content.decode()
    assert 'letzshop_ready{check="database"} 1.0' in text
    assert 'letzshop_ready{check="broker"} 1.0' in text
    assert 'letzshop_ready{check="beat"} 1.0' in text
    assert "letzshop_beat_heartbeat_age_seconds" in text


def test_a_machine_of_workers_serves_its_counters_with_metrics_serve():
    """A real process on a free port, reading the same multiprocess folder as this one."""
    import os
    import re
    import urllib.request

    from letzshop.metrics import RATE_LIMITED

    RATE_LIMITED.labels(operation="MetricsServeProbe").inc()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "metrics_serve", "--port", "0"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        url = re.search(r"http://\S+/metrics", line).group(0)
        text = urllib.request.urlopen(url, timeout=10).read().decode()
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert 'letzshop_api_rate_limited_total{operation="MetricsServeProbe"} 1.0' in text
    assert "letzshop_fulfillment_queue_items" not in text  # the database's gauges are the web's
