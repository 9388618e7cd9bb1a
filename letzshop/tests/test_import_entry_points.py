"""The ways an import starts: the API (store and admin), the command, beat's auto-sync."""

from io import StringIO

import pytest
from celery.beat import ScheduleEntry
from django.core.management import CommandError, call_command
from django_celery_beat.schedulers import DatabaseScheduler

from config.celery import app as celery_app
from config.tests.clients import api_client_for
from exceptions.models import OrderItemException
from letzshop.imports import import_lock_acquire
from letzshop.models import LetzshopOrder, LetzshopSyncLog
from letzshop.services.credentials import credentials_save
from letzshop.tasks import store_orders_import_scheduled
from letzshop.tests.factories import LetzshopOrderFactory

pytestmark = pytest.mark.django_db


def test_store_import_endpoint_answers_the_guides_shape(sandbox_store, store_user, letzshop_sandbox, imports_inline):
    client = api_client_for(store_user)
    response = client.post("/api/v1/store/letzshop/orders/import", {"operation": "order_import"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    imported = LetzshopOrder.objects.filter(store=sandbox_store).count()
    assert body["success"] is True
    assert body["message"] == f"Import completed: {imported} imported, 0 updated"
    assert (body["orders_imported"], body["orders_updated"], body["errors"]) == (imported, 0, [])
    assert LetzshopSyncLog.objects.get(pk=body["sync_log_id"]).triggered_by == str(store_user.pk)


def test_import_while_one_runs_is_409(sandbox_store, store_user):
    import_lock_acquire(store=sandbox_store)
    response = api_client_for(store_user).post("/api/v1/store/letzshop/orders/import")
    assert response.status_code == 409
    assert response.json()["success"] is False and "already running" in response.json()["message"]


def test_an_import_not_ended_in_time_answers_202_with_its_sync_log(sandbox_store, store_user, settings):
    """No worker here: the run waits in the queue, and the call answers once its wait is over."""
    settings.LETZSHOP_IMPORT_WAIT_SECONDS = 0.2
    client = api_client_for(store_user)
    response = client.post("/api/v1/store/letzshop/orders/import", {}, format="json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body == {"sync_log_id": body["sync_log_id"], "status": "running"}
    log = client.get(f"/api/v1/store/letzshop/logs/{body['sync_log_id']}").json()
    assert log["status"] == "running" and log["operation_type"] == "order_import"
    assert LetzshopOrder.objects.filter(store=sandbox_store).count() == 0  # nothing ran in the request
    # A second call while it waits is told so, with the run to follow.
    again = client.post("/api/v1/store/letzshop/orders/import", {"wait_seconds": 0}, format="json")
    assert again.status_code == 409 and again.json()["sync_log_id"] == body["sync_log_id"]


def test_wait_seconds_is_checked(sandbox_store, store_user):
    response = api_client_for(store_user).post(
        "/api/v1/store/letzshop/orders/import", {"wait_seconds": "soon"}, format="json"
    )
    assert response.status_code == 400 and "wait_seconds" in response.content.decode()


def test_import_without_credentials_says_what_to_do(store_user):
    response = api_client_for(store_user).post("/api/v1/store/letzshop/orders/import")
    assert response.status_code == 404
    assert "save an API key first" in response.json()["detail"]


def test_admin_sync_and_orders_of_a_store(sandbox_store, admin_api, imports_inline):
    response = admin_api.post(f"/api/v1/admin/letzshop/stores/{sandbox_store.pk}/sync")
    assert response.status_code == 200 and response.json()["orders_imported"] > 0
    listed = admin_api.get(f"/api/v1/admin/letzshop/stores/{sandbox_store.pk}/orders").json()
    assert listed["count"] == response.json()["orders_imported"]


def test_orders_list_filters_and_detail(sandbox_store, store_user, letzshop_sandbox, imports_inline):
    client = api_client_for(store_user)
    client.post("/api/v1/store/letzshop/orders/import")
    total = client.get("/api/v1/store/letzshop/orders").json()["count"]
    with_exceptions = client.get("/api/v1/store/letzshop/orders", {"has_exceptions": "true"}).json()
    without = client.get("/api/v1/store/letzshop/orders", {"has_exceptions": "false"}).json()
    expected = OrderItemException.objects.filter(store=sandbox_store).values("order").distinct().count()
    assert with_exceptions["count"] == expected > 0
    assert with_exceptions["count"] + without["count"] == total
    assert all(row["blocking_exceptions"] > 0 for row in with_exceptions["results"])
    assert client.get("/api/v1/store/letzshop/orders", {"state": "confirmed"}).json()["count"] == 0
    assert client.get("/api/v1/store/letzshop/orders", {"sync_status": "pending"}).json()["count"] == total
    some = LetzshopOrder.objects.filter(store=sandbox_store).first()
    for term in (some.letzshop_order_number, some.customer_email.upper(), some.local_order.shipment_number):
        found = client.get("/api/v1/store/letzshop/orders", {"search": term}).json()["results"]
        assert some.pk in [row["id"] for row in found], term
    assert client.get("/api/v1/store/letzshop/orders", {"date_from": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    detail = client.get(f"/api/v1/store/letzshop/orders/{with_exceptions['results'][0]['id']}").json()
    flagged = [item for item in detail["items"] if item["needs_product_match"]]
    assert flagged and all(item["exception"]["status"] == "pending" for item in flagged)
    assert detail["total_amount"].count(".") == 1 and len(detail["total_amount"].split(".")[1]) == 2


def test_orders_list_costs_constant_queries(store, store_api, django_assert_max_num_queries):
    LetzshopOrderFactory(store=store)
    with django_assert_max_num_queries(5):
        store_api.get("/api/v1/store/letzshop/orders")
    LetzshopOrderFactory.create_batch(60, store=store)
    with django_assert_max_num_queries(5):
        assert len(store_api.get("/api/v1/store/letzshop/orders", {"page_size": 100}).json()["results"]) == 61


def test_logs_list_filters(sandbox_store, store_user, imports_inline):
    client = api_client_for(store_user)
    client.post("/api/v1/store/letzshop/test")
    client.post("/api/v1/store/letzshop/orders/import")
    logs = client.get("/api/v1/store/letzshop/logs").json()["results"]
    assert [row["operation_type"] for row in logs] == ["order_import", "test_connection"]
    imports = client.get("/api/v1/store/letzshop/logs", {"operation_type": "order_import"}).json()
    assert imports["count"] == 1 and imports["results"][0]["direction"] == "inbound"


def test_command_imports_one_store_or_all(sandbox_store, letzshop_sandbox):
    out = StringIO()
    call_command("letzshop_import", "--store", sandbox_store.code, stdout=out)
    imported = LetzshopOrder.objects.count()
    assert f"Import completed: {imported} imported, 0 updated" in out.getvalue()
    assert "page 1" in out.getvalue()  # progress
    out = StringIO()
    call_command("letzshop_import", "--all", stdout=out)
    assert f"{sandbox_store.code}: Import completed: 0 imported, 0 updated ({imported} unchanged" in out.getvalue()
    assert LetzshopSyncLog.objects.filter(triggered_by="command").count() == 2


def test_command_refuses_an_unknown_store(db):
    with pytest.raises(CommandError, match="No store with the code 'nope'"):
        call_command("letzshop_import", "--store", "nope", stdout=StringIO())


def _beat_entry(scheduler: DatabaseScheduler, store_id: int) -> ScheduleEntry | None:
    return scheduler.schedule.get(f"letzshop-import-store-{store_id}")


@pytest.mark.django_db(transaction=True)  # the scheduler closes its database connections
def test_auto_sync_changes_reach_a_running_beat_without_restart(store):
    credentials_save(store=store, api_key="letzshop-key-123456", auto_sync_enabled=True, sync_interval_minutes=15)
    scheduler = DatabaseScheduler(app=celery_app, lazy=False)
    entry = _beat_entry(scheduler, store.pk)
    assert entry is not None and entry.schedule.run_every.total_seconds() == 15 * 60
    assert entry.task == "letzshop.tasks.store_orders_import_scheduled" and entry.args == [store.pk]

    credentials_save(store=store, sync_interval_minutes=5)
    entry = _beat_entry(scheduler, store.pk)  # the same scheduler object: no restart
    assert entry.schedule.run_every.total_seconds() == 5 * 60

    credentials_save(store=store, auto_sync_enabled=False)
    assert _beat_entry(scheduler, store.pk) is None


def test_the_scheduled_task_imports_only_with_auto_sync_on(sandbox_store):
    assert store_orders_import_scheduled(sandbox_store.pk) == "skipped: auto-sync is off"
    credentials_save(store=sandbox_store, auto_sync_enabled=True)
    assert store_orders_import_scheduled(sandbox_store.pk) == "success"
    assert LetzshopSyncLog.objects.get(operation_type="order_import").triggered_by == "scheduler"


def test_command_full_fetches_every_page_whole(sandbox_store, letzshop_sandbox):
    call_command("letzshop_import", "--store", sandbox_store.code, stdout=StringIO())
    before = len(letzshop_sandbox.state.request_log())
    call_command("letzshop_import", "--store", sandbox_store.code, "--full", stdout=StringIO())
    operations = {entry["operationName"] for entry in letzshop_sandbox.state.request_log()[before:]}
    assert "Shipments" in operations and "ShipmentStates" not in operations
