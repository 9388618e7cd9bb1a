"""What the catalog tells the apps above it, without importing them.

When GTINs enter a store's catalog (a product created or changed, a JSON or CSV import, a copy),
the apps that wait for products (the product exceptions) are told through the receivers
registered here, from their ``AppConfig.ready()``. Each receiver returns how many of its rows
the new products settled; the catalog reports the sum (``exceptions_resolved``).
"""

from collections.abc import Callable

from stores.models import Store

CatalogGtinsReceiver = Callable[..., int]

_catalog_gtins_added: list[CatalogGtinsReceiver] = []


def on_catalog_gtins_added(receiver: CatalogGtinsReceiver) -> CatalogGtinsReceiver:
    """Register ``receiver(*, store, gtins) -> int``; idempotent (``ready()`` may run twice)."""
    if receiver not in _catalog_gtins_added:
        _catalog_gtins_added.append(receiver)
    return receiver


def catalog_gtins_added(*, store: Store, gtins: set[str]) -> int:
    """Tell every receiver that products with these GTIN-14s are now in the store's catalog."""
    gtins = {gtin for gtin in gtins if gtin}
    if not gtins:
        return 0
    return sum(receiver(store=store, gtins=gtins) for receiver in _catalog_gtins_added)
