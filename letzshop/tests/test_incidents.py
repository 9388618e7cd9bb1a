"""Each kind of failure tells people once, through the real import, queue and client."""

import shutil
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from config.tests.clients import api_client_for
from letzshop.client.documents import DOCUMENTS_DIR
from letzshop.imports import orders_import
from letzshop.models import LetzshopFulfillmentQueue, LetzshopSyncLog
from letzshop.services.connection import connection_test
from letzshop.services.credentials import credentials_save
from letzshop.services.fulfillment import order_confirm, queue_item_process, queue_item_retry
from letzshop.services.schema_check import schema_check
from letzshop.tests.helpers import clean_order
from notifications.models import Notification

pytestmark = pytest.mark.django_db
Queue = LetzshopFulfillmentQueue


@pytest.fixture
def owner(sandbox_store, store_user):
    store_user.email = "owner@example.lu"
    store_user.save(update_fields=["email"])
    return store_user


def told(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


def test_an_operation_failed_for_good_is_told_once_and_closed_when_it_completes(
    sandbox_store, letzshop_sandbox, owner, django_capture_on_commit_callbacks
):
    orders_import(store=sandbox_store, triggered_by="command")
    order = clean_order(sandbox_store)
    item, _ = order_confirm(order=order)
    letzshop_sandbox.state.update_faults({"fail_next": [500, 502, 503]})
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            Queue.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
            item = queue_item_process(item_id=item.pk)
    assert item.status == "failed"
    (notification,) = told(Notification.FULFILLMENT_FAILED)
    assert notification.title_text == f"The confirmation of order {order} failed"
    assert "503" in notification.message_text and "3 attempt" in notification.message_text
    assert notification.letzshop_order_id == order.pk
    assert notification.link == f"/store/orders/{order.pk}/"
    assert notification.admin_link == f"/admin/letzshop/letzshopfulfillmentqueue/{item.pk}/change/"
    assert [message.to for message in mail.outbox] == [["owner@example.lu"]]  # not one per attempt

    queue_item_retry(item=item)
    assert queue_item_process(item_id=item.pk).status == "completed"
    notification.refresh_from_db()
    assert notification.resolved_at is not None


def test_a_store_whose_imports_fail_n_times_in_a_row_is_told_once(
    sandbox_store, letzshop_sandbox, owner, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_SYNC_FAILURES_IN_A_ROW = 2
    orders_import(store=sandbox_store, triggered_by="command")
    letzshop_sandbox.state.update_faults({"rate_500": 1.0})
    with django_capture_on_commit_callbacks(execute=True):
        assert orders_import(store=sandbox_store, triggered_by="scheduler").status == "failed"
        assert told(Notification.SYNC_FAILED) == []  # one failure is not yet a pattern
        orders_import(store=sandbox_store, triggered_by="scheduler")
        orders_import(store=sandbox_store, triggered_by="scheduler")
    (notification,) = told(Notification.SYNC_FAILED)
    assert notification.occurrences == 2
    assert "500" in notification.message_text
    assert notification.link == "/store/logs/"
    assert len(mail.outbox) == 1

    letzshop_sandbox.state.update_faults({"rate_500": 0.0})
    assert orders_import(store=sandbox_store, triggered_by="scheduler").status == "success"
    notification.refresh_from_db()
    assert notification.resolved_at is not None


def test_a_refused_key_during_an_import_is_told_once(
    sandbox_store, letzshop_sandbox, owner, django_capture_on_commit_callbacks
):
    credentials_save(store=sandbox_store, api_key="a-key-letzshop-no-longer-knows", partial=True)
    with django_capture_on_commit_callbacks(execute=True):
        # The refusal meets the import's fetch thread: it is told when the run ends.
        assert orders_import(store=sandbox_store, triggered_by="scheduler").status == "failed"
        orders_import(store=sandbox_store, triggered_by="scheduler")
    (notification,) = told(Notification.CREDENTIALS_REFUSED)
    assert notification.title_text == f"Letzshop refused the API key of {sandbox_store.name}"
    assert notification.link == "/store/letzshop/"
    assert notification.admin_link == f"/admin/letzshop/letzshopstore/{sandbox_store.pk}/credentials/"
    assert notification.occurrences == 2
    assert [message.to for message in mail.outbox] == [["owner@example.lu"]]
    assert "a-key-letzshop-no-longer-knows" not in mail.outbox[0].body


def test_test_connection_tells_of_a_refused_key_and_closes_it_once_the_key_works(
    sandbox_store, letzshop_sandbox, owner
):
    credentials_save(store=sandbox_store, api_key="a-key-letzshop-no-longer-knows", partial=True)
    assert connection_test(store=sandbox_store).success is False
    (notification,) = told(Notification.CREDENTIALS_REFUSED)
    credentials_save(store=sandbox_store, api_key="letzshop-sandbox-key", partial=True)
    assert connection_test(store=sandbox_store).success is True
    notification.refresh_from_db()
    assert notification.resolved_at is not None


# --- Letzshop's schema -----------------------------------------------------------------------


def test_test_connection_answers_the_schema_check_in_the_api_and_the_admin(sandbox_store, store_user, admin_client):
    body = api_client_for(store_user).post("/api/v1/store/letzshop/test").json()
    assert body["success"] is True
    assert body["schema"]["compatible"] is True
    assert body["schema"]["message"] == "API schema: compatible"
    assert body["schema"]["documents"] == [
        "confirm_inventory_units.graphql",
        "set_shipment_tracking.graphql",
        "shipment_states.graphql",
        "shipments.graphql",
    ]
    log = LetzshopSyncLog.objects.filter(store=sandbox_store, operation_type="test_connection").latest("pk")
    assert log.details["schema"]["compatible"] is True

    response = admin_client.post(
        "/admin/letzshop/letzshopstore/",
        {"action": "test_connection", "_selected_action": [sandbox_store.pk], "index": 0},
        follow=True,
    )
    assert "API schema: compatible" in response.content.decode()


@pytest.fixture
def altered_documents(tmp_path):
    """The client's documents with one field renamed, as if Letzshop had renamed it."""
    folder = tmp_path / "graphql"
    shutil.copytree(DOCUMENTS_DIR, folder)
    shipments = folder / "shipments.graphql"
    shipments.write_text(shipments.read_text().replace("completedAt", "completedOn"))
    return folder


def test_a_document_that_no_longer_matches_is_printed_and_told(
    sandbox_store, owner, altered_documents, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        check = schema_check(store=sandbox_store, triggered_by="command", documents_dir=altered_documents)
    assert not check.compatible
    (difference,) = check.differences
    assert (difference.type, difference.field, difference.documents) == ("Order", "completedOn", ("shipments.graphql",))
    assert check.message.startswith("API schema: 1 difference: Order.completedOn")
    (notification,) = told(Notification.SCHEMA_MISMATCH)
    assert notification.level == "warning"
    assert "Order.completedOn" in notification.message_text
    assert [message.to for message in mail.outbox] == [["owner@example.lu"]]
    log = LetzshopSyncLog.objects.filter(store=sandbox_store).latest("pk")
    assert log.status == "failed" and log.details["check"] == "schema"

    # Back to the committed documents: compatible, and the incident is closed.
    assert schema_check(store=sandbox_store).compatible
    notification.refresh_from_db()
    assert notification.resolved_at is not None


def test_the_command_prints_each_difference_and_exits_1(sandbox_store, altered_documents):
    out = StringIO()
    call_command("letzshop_schema_check", "--store", sandbox_store.code, stdout=out)
    assert "API schema: compatible" in out.getvalue()

    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command(
            "letzshop_schema_check", "--store", sandbox_store.code, "--documents", str(altered_documents), stdout=out
        )
    assert exit_.value.code == 1
    text = out.getvalue()
    assert "API schema: 1 difference(s)" in text
    assert "Order.completedOn: the document asks for it; Letzshop has nothing of that name [shipments.graphql]" in text
