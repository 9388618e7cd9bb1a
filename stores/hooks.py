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


# --- limits a higher app sets on stores (billing's plans) --------------------------------------

StoreLimitCheck = Callable[..., None]

_store_adding_checks: list[StoreLimitCheck] = []
_sync_interval_checks: list[StoreLimitCheck] = []


def on_store_adding(check: StoreLimitCheck) -> StoreLimitCheck:
    """Register ``check(*, merchant)``: raises ``config.errors.Conflict`` (with the reason and
    what to do) when the merchant may not have one more store."""
    if check not in _store_adding_checks:
        _store_adding_checks.append(check)
    return check


def store_adding_check(*, merchant) -> None:
    """Ask every check whether ``merchant`` may have one more store (a new one, or one moved to it)."""
    for check in _store_adding_checks:
        check(merchant=merchant)


def on_sync_interval_check(check: StoreLimitCheck) -> StoreLimitCheck:
    """Register ``check(*, store, minutes)``: raises ``config.errors.InvalidInput`` naming the
    field when the store may not sync that often."""
    if check not in _sync_interval_checks:
        _sync_interval_checks.append(check)
    return check


def sync_interval_check(*, store: Store, minutes: int) -> None:
    """Ask every check whether ``store`` may import its orders every ``minutes`` minutes."""
    for check in _sync_interval_checks:
        check(store=store, minutes=minutes)
