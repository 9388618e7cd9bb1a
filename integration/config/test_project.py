import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/store/products" in text
    assert "/api/v1/admin/merchants" in text
    assert client.get("/api/docs/").status_code == 200


def test_production_settings_refuse_to_start_without_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_times_are_stored_in_utc_and_shown_in_luxembourg(admin_client, store):
    from datetime import UTC, datetime

    from django.db import connection

    from orders.tests.factories import OrderFactory

    order = OrderFactory(store=store)
    # 22:30 UTC on a winter day is 23:30 in Luxembourg.
    type(order).objects.filter(pk=order.pk).update(created_at=datetime(2026, 1, 15, 22, 30, tzinfo=UTC))
    with connection.cursor() as cursor:
        cursor.execute("SELECT created_at FROM orders_order WHERE id = %s", [order.pk])
        stored = cursor.fetchone()[0]
    stored_text = stored.isoformat() if hasattr(stored, "isoformat") else str(stored)
    assert "22:30" in stored_text
    page = admin_client.get("/admin/orders/order/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.findall(r"ls-when\">([^<]*)<br>([^<]*)<", page) == [("15/01/2026", "23:30")]


def test_the_old_names_appear_nowhere_in_code():
    # Letzshop's own address field `company` (lower case, a field name) is the one exception.
    old_names = r"\b(v[e]ndors?|v[e]ndordomains?|c[o]mpany|c[o]mpanies)\b"  # classes keep the words out of this file
    result = subprocess.run(
        [
            "git",
            "grep",
            "-n",
            "-i",
            "-I",
            "-E",
            old_names,
            "--",
            "*.py",
            "*.html",
            "*.js",
            "*.graphql",
            "*.po",
            ":!integration/config/test_project.py",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    hits = []
    for line in result.stdout.splitlines():
        text = line.split(":", 2)[-1]
        words = re.findall(old_names, text, flags=re.IGNORECASE)
        if any(word != "company" for word in words):
            hits.append(line)
    assert hits == [], "\n".join(hits)
