"""One code per carrier: the carriers met in Luxembourg in Settings > Shipping, and the orders'
carriers as codes (an order imported before kept Letzshop's spelling, "DHL", "Post Luxembourg"),
each listed in Settings > Shipping (docs/fulfillment.md)."""

from django.db import migrations

from orders.carriers import KNOWN_CARRIERS, carrier_code


def forwards(apps, schema_editor):
    ShippingCarrier = apps.get_model("orders", "ShippingCarrier")
    Order = apps.get_model("orders", "Order")
    for code, name in KNOWN_CARRIERS.items():
        ShippingCarrier.objects.get_or_create(code=code, defaults={"name": name})
    spellings = Order.objects.exclude(shipping_carrier="").values_list("shipping_carrier", flat=True).distinct()
    for given in list(spellings):
        code = carrier_code(given)
        if not code:
            continue
        if code != given:
            Order.objects.filter(shipping_carrier=given).update(shipping_carrier=code)
        ShippingCarrier.objects.get_or_create(code=code, defaults={"name": KNOWN_CARRIERS.get(code, given)[:100]})


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_declined_wording")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
