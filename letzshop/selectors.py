"""Reads of the letzshop app. Every read of a store's rows takes the store."""

from django.db.models import BooleanField, Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from config.errors import NotFound
from exceptions.models import OrderItemException
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials
from stores.models import Store
from stores.tenancy import store_required


def _count(queryset, by: str = "store") -> Coalesce:
    """A correlated COUNT(*) of ``queryset`` grouped by ``by``, 0 when there are none."""
    counted = queryset.order_by().values(by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def stores_with_integration_status(*, stores: QuerySet[Store] | None = None) -> QuerySet[Store]:
    """Stores annotated with their Letzshop status at a glance, in one query."""
    stores = Store.objects.all() if stores is None else stores
    credentials = StoreLetzshopCredentials.objects.filter(store=OuterRef("pk"))
    return stores.select_related("merchant", "letzshop_credentials").annotate(
        is_configured=Exists(credentials, output_field=BooleanField()),
        pending_orders=_count(
            LetzshopOrder.objects.filter(store=OuterRef("pk"), letzshop_state=LetzshopOrder.State.UNCONFIRMED)
        ),
        pending_exceptions=_count(
            OrderItemException.objects.filter(store=OuterRef("pk"), status=OrderItemException.Status.PENDING)
        ),
        failed_queue_items=_count(
            LetzshopFulfillmentQueue.objects.filter(store=OuterRef("pk"), status=LetzshopFulfillmentQueue.Status.FAILED)
        ),
    )


def store_integration_status(*, store: Store) -> Store:
    store_required(store)
    return stores_with_integration_status(stores=Store.objects.filter(pk=store.pk)).get()


def credentials_find(*, store: Store) -> StoreLetzshopCredentials | None:
    store_required(store)
    return StoreLetzshopCredentials.objects.filter(store=store).first()


def letzshop_order_list(*, store: Store) -> QuerySet[LetzshopOrder]:
    store_required(store)
    blocking = OrderItemException.objects.filter(
        order_id=OuterRef("local_order_id"), status__in=OrderItemException.BLOCKING_STATUSES
    )
    return (
        LetzshopOrder.objects.filter(store=store)
        .select_related("local_order")
        .annotate(
            blocking_exceptions=_count(blocking, by="order"),
            has_exceptions=Exists(OrderItemException.objects.filter(order_id=OuterRef("local_order_id"))),
        )
    )


def letzshop_order_state_counts(*, store: Store) -> dict[str, int]:
    """How many of the store's orders are in each Letzshop state (every state, 0 included)."""
    store_required(store)
    counts = dict.fromkeys(LetzshopOrder.State.values, 0)
    rows = LetzshopOrder.objects.filter(store=store).order_by().values_list("letzshop_state").annotate(n=Count("pk"))
    for state, count in rows:
        counts[state] = counts.get(state, 0) + count
    return counts


def letzshop_order_get(*, store: Store, order_id: int) -> LetzshopOrder:
    store_required(store)
    try:
        return letzshop_order_list(store=store).get(pk=order_id)
    except (LetzshopOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext("Letzshop order %(id)s not found.") % {"id": order_id}) from None


def sync_log_list(*, store: Store) -> QuerySet[LetzshopSyncLog]:
    store_required(store)
    return LetzshopSyncLog.objects.filter(store=store)


def queue_list(*, store: Store) -> QuerySet[LetzshopFulfillmentQueue]:
    store_required(store)
    return LetzshopFulfillmentQueue.objects.filter(store=store).select_related("letzshop_order")


def queue_item_get(*, store: Store, item_id: int) -> LetzshopFulfillmentQueue:
    store_required(store)
    try:
        return queue_list(store=store).get(pk=item_id)
    except (LetzshopFulfillmentQueue.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext("Queue item %(id)s not found.") % {"id": item_id}) from None


def user_names(*, values) -> dict[int, str]:
    """The names of the people whose ids ``values`` hold (sync log's ``triggered_by``), in one
    query: full name, else user name."""
    from django.contrib.auth import get_user_model

    ids = {int(value) for value in values if str(value or "").isdigit() and len(str(value)) < 19}
    if not ids:
        return {}
    users = get_user_model().objects.filter(pk__in=ids).only("pk", "username", "first_name", "last_name")
    return {user.pk: user.get_full_name() or user.get_username() for user in users}


def import_runs(*, ids: list[int]) -> list[LetzshopSyncLog]:
    """Import runs by id, with their stores, in the order asked for."""
    rows = LetzshopSyncLog.objects.select_related("store").filter(
        pk__in=ids, operation_type=LetzshopSyncLog.Operation.ORDER_IMPORT
    )
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in dict.fromkeys(ids) if pk in by_id]
