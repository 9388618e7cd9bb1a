"""On PostgreSQL, compress the large JSON columns with lz4 rather than the default pglz.

A Letzshop order's raw data (about 2 KB) is compressed when stored; pglz made that the costliest
part of writing an imported shipment, lz4 does it several times faster. A server built without
lz4 keeps pglz: the migration then changes nothing. Other databases are not concerned.
"""

from django.db import migrations

COLUMNS = [
    ("letzshop_orders", "raw_order_data"),
    ("letzshop_orders", "inventory_units"),
    ("orders_order", "shipping_address"),
    ("orders_order", "billing_address"),
]


def use_lz4(apps, schema_editor, columns=COLUMNS):
    connection = schema_editor.connection
    if connection.display_name != "PostgreSQL":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)")
        if cursor.fetchone() is None:
            return
        for table, column in columns:
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION lz4')


class Migration(migrations.Migration):
    dependencies = [("letzshop", "0001_initial"), ("orders", "0002_seed_shipping_carriers")]

    operations = [migrations.RunPython(use_lz4, migrations.RunPython.noop)]
