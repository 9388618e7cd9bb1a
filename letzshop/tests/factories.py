from decimal import Decimal

import factory
from django.utils import timezone

from letzshop.crypto import encrypt_value
from letzshop.models import LetzshopFulfillmentQueue, LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials
from orders.tests.factories import OrderFactory
from stores.tests.factories import StoreFactory

TEST_API_KEY = "letzshop-sandbox-key"


class CredentialsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreLetzshopCredentials

    store = factory.SubFactory(StoreFactory)
    api_key_encrypted = factory.LazyFunction(lambda: encrypt_value(TEST_API_KEY))
    api_endpoint = "https://letzshop.lu/graphql"


class LetzshopOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LetzshopOrder

    store = factory.SubFactory(StoreFactory)
    local_order = factory.SubFactory(OrderFactory, store=factory.SelfAttribute("..store"))
    letzshop_order_id = factory.LazyAttribute(lambda o: o.local_order.external_order_id)
    letzshop_shipment_id = factory.LazyAttribute(lambda o: o.local_order.external_shipment_id)
    letzshop_order_number = factory.LazyAttribute(lambda o: o.local_order.external_order_number)
    letzshop_state = LetzshopOrder.State.UNCONFIRMED
    customer_email = factory.LazyAttribute(lambda o: o.local_order.customer_email)
    customer_name = "Anna Muller"
    total_amount = Decimal("59.90")
    inventory_units = factory.Sequence(lambda n: [{"id": f"unit-{n}", "state": "unconfirmed"}])


class QueueItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LetzshopFulfillmentQueue

    store = factory.SubFactory(StoreFactory)
    letzshop_order = factory.SubFactory(LetzshopOrderFactory, store=factory.SelfAttribute("..store"))
    operation = LetzshopFulfillmentQueue.Operation.CONFIRM
    payload = factory.LazyAttribute(
        lambda o: {"inventory_unit_ids": [u["id"] for u in o.letzshop_order.inventory_units]}
    )
    payload_digest = factory.Sequence(lambda n: f"digest-{n}")


class SyncLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LetzshopSyncLog

    store = factory.SubFactory(StoreFactory)
    operation_type = LetzshopSyncLog.Operation.ORDER_IMPORT
    direction = LetzshopSyncLog.Direction.INBOUND
    status = "success"
    started_at = factory.LazyFunction(timezone.now)
    completed_at = factory.LazyFunction(timezone.now)
    triggered_by = "scheduler"
