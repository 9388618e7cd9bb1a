"""The operations panel of Marketplace > Letzshop's dashboard: what an operator checks first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from letzshop.models import LetzshopFulfillmentQueue
from letzshop.tests.factories import CredentialsFactory, QueueItemFactory, SyncLogFactory
from monitoring.services import heartbeat_write
from notifications.tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db


def panel(client) -> str:
    html = client.get("/admin/letzshop/letzshopstore/").content.decode()
    start = html.index('id="ls-operations"')
    return html[start : html.index("</section>", start)]


def test_the_panel_shows_readiness_queue_failures_failing_stores_and_unread_notifications(admin_client, store):
    text = panel(admin_client)
    assert 'data-check="database">Database: up' in text
    assert 'data-check="beat">Beat: never seen' in text
    assert "Beat has not written a heartbeat yet" in text

    heartbeat_write()
    failing = CredentialsFactory(
        store=store, last_sync_status="failed", last_sync_at=timezone.now(), last_sync_error="HTTP 500 from Letzshop"
    )
    QueueItemFactory(store=store, status="pending")
    QueueItemFactory(store=store, status="failed")
    old_failure = QueueItemFactory(store=store, status="failed")
    LetzshopFulfillmentQueue.objects.filter(pk=old_failure.pk).update(updated_at=timezone.now() - timedelta(days=3))
    SyncLogFactory(store=store, status="failed")
    NotificationFactory(store=store)
    NotificationFactory(store=store, admin_read_at=timezone.now())

    text = panel(admin_client)
    assert 'data-check="beat">Beat: up' in text
    assert '<span class="ls-stat-count">1</span> waiting to be sent' in text
    assert '<span class="ls-stat-count ls-error-text">1</span> failed in the last 24 hours' in text
    assert "(2 failed in all)" in text
    assert '<span class="ls-stat-count ls-error-text">1</span> imports not completed in the last 24 hours' in text
    assert failing.store.name in text and "HTTP 500 from Letzshop" in text
    assert "1 unread notification<" in text
    assert f"The imports of {store.name} keep failing" in text
