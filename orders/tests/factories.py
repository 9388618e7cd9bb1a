from decimal import Decimal

import factory

from orders.models import Order, OrderItem
from stores.tests.factories import ProductFactory, StoreFactory


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    store = factory.SubFactory(StoreFactory)
    channel = Order.Channel.LETZSHOP
    external_order_id = factory.Sequence(lambda n: f"gid://letzshop/Order/{n}")
    external_order_number = factory.Sequence(lambda n: f"R{532330000 + n}")
    external_shipment_id = factory.Sequence(lambda n: f"shp{n:010d}")
    shipment_number = factory.Sequence(lambda n: f"H{74683400000 + n}")
    customer_email = factory.Sequence(lambda n: f"customer{n}@example.lu")
    customer_first_name = "Anna"
    customer_last_name = "Muller"
    total_amount = Decimal("59.90")


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory, store=factory.SelfAttribute("..order.store"))
    product_name = factory.Sequence(lambda n: f"Item {n}")
    gtin = factory.LazyAttribute(lambda o: o.product.gtin)
    quantity = 1
    unit_price = Decimal("19.90")
    total_price = Decimal("19.90")
    external_item_key = factory.Sequence(lambda n: f"variant-{n}")
    external_variant_id = factory.LazyAttribute(lambda o: o.external_item_key)
    inventory_unit_ids = factory.Sequence(lambda n: [f"unit-{n}"])
