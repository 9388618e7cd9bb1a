"""On PostgreSQL, a shipment's raw data goes in a ``json`` column (see ``StoredJSONField``).

Changing the column's type resets its compression: lz4 is set again, as in 0002.
"""

from importlib import import_module

from django.db import migrations

import letzshop.models


def raw_data_lz4(apps, schema_editor):
    lz4 = import_module("letzshop.migrations.0002_lz4_compression")
    lz4.use_lz4(apps, schema_editor, columns=[("letzshop_orders", "raw_order_data")])


class Migration(migrations.Migration):
    dependencies = [("letzshop", "0002_lz4_compression")]

    operations = [
        migrations.AlterField(
            model_name="letzshoporder",
            name="raw_order_data",
            field=letzshop.models.StoredJSONField(blank=True, default=dict, verbose_name="raw data"),
        ),
        migrations.RunPython(raw_data_lz4, migrations.RunPython.noop),
    ]
