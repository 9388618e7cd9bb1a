from django.db import migrations

# The carriers Letzshop ships with (guide, "Carrier Detection"); admins edit the prefixes in
# Admin > Settings > Shipping.
CARRIERS = [
    ("greco", "Greco", "https://dispatchweb.fr/Tracky/Home/"),
    ("colissimo", "Colissimo", ""),
    ("xpresslogistics", "XpressLogistics", ""),
]


def seed(apps, schema_editor):
    ShippingCarrier = apps.get_model("orders", "ShippingCarrier")
    for code, name, prefix in CARRIERS:
        ShippingCarrier.objects.get_or_create(code=code, defaults={"name": name, "label_url_prefix": prefix})


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
