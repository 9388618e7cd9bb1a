import factory

from exceptions.models import OrderItemException
from orders.tests.factories import OrderFactory, OrderItemFactory
from stores.services import placeholder_product_get
from stores.tests.factories import StoreFactory


class OrderItemExceptionFactory(factory.django.DjangoModelFactory):
    """An unmatched item: the order, its item (on the placeholder) and the exception, one store."""

    class Meta:
        model = OrderItemException

    store = factory.SubFactory(StoreFactory)
    order = factory.SubFactory(OrderFactory, store=factory.SelfAttribute("..store"))
    order_item = factory.SubFactory(
        OrderItemFactory,
        order=factory.SelfAttribute("..order"),
        product=factory.LazyAttribute(lambda o: placeholder_product_get(store=o.order.store)),
        needs_product_match=True,
        gtin=factory.SelfAttribute("..original_gtin"),
    )
    exception_type = OrderItemException.Type.PRODUCT_NOT_FOUND
    original_gtin = factory.Sequence(lambda n: f"4{n:011d}" + "0")
    gtin_normalized = ""
    original_product_name = factory.Sequence(lambda n: f"Unknown item {n}")
