import factory

from exceptions.models import OrderItemException
from orders.tests.factories import OrderFactory, OrderItemFactory
from stores.gtin import gs1_check_digit, gtin_normalize
from stores.services import placeholder_product_get
from stores.tests.factories import StoreFactory


def unlisted_gtin13(n: int) -> str:
    """A valid GTIN-13 that no ProductFactory product carries (those start with 400)."""
    body = f"590{n:09d}"
    return body + str(gs1_check_digit(body))


class OrderItemExceptionFactory(factory.django.DjangoModelFactory):
    """An unmatched item: the order, its item (on the placeholder) and the exception, one store.

    ``original_gtin`` is a valid GTIN-13 by default and ``gtin_normalized`` follows it, as the
    order import writes them."""

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
        product_name=factory.SelfAttribute("..original_product_name"),
    )
    exception_type = OrderItemException.Type.PRODUCT_NOT_FOUND
    original_gtin = factory.Sequence(unlisted_gtin13)
    gtin_normalized = factory.LazyAttribute(lambda o: gtin_normalize(o.original_gtin).gtin14)
    original_product_name = factory.Sequence(lambda n: f"Unknown item {n}")
