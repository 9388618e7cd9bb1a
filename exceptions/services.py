"""The QC workflow of product exceptions: which exception an unmatched item opens, opening
them, resolve, ignore, bulk resolve, auto-match.

Every way an exception becomes ``resolved`` goes through ``_resolve`` (one UPDATE of the
exceptions, one of their items), so that the item always points at the product its exception
names and ``needs_product_match`` never outlives a resolution.
"""

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from config.bulk import insert_rows
from config.errors import Conflict, InvalidInput
from exceptions.models import OrderItemException
from orders.models import OrderItem
from stores.gtin import Gtin, gtin_normalize
from stores.models import Product, Store
from stores.selectors import matchable_products

AUTO_MATCH_CHUNK = 2000
REASON_MAX_LENGTH = 500


def _product_of_store(*, store: Store, product_id) -> Product:
    """The product that may resolve an exception of ``store``, or a 400 naming ``product_id``."""
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        raise InvalidInput(_("Give the id of a product of this store's catalog."), field="product_id") from None
    product = Product.objects.filter(pk=pk, store=store).first()
    if product is None:
        # Another store's product answers like a missing one: nothing about it leaks.
        raise InvalidInput(_("Product %(id)s is not in this store's catalog.") % {"id": pk}, field="product_id")
    if product.is_placeholder:
        raise InvalidInput(
            _("The placeholder product stands for unmatched items: choose a product of the catalog."),
            field="product_id",
        )
    if not product.is_active:
        raise InvalidInput(
            _("Product %(id)s (%(name)s) is inactive: activate it in the catalog first, or choose another.")
            % {"id": pk, "name": product.name},
            field="product_id",
        )
    return product


def _resolve(
    *, exceptions: QuerySet[OrderItemException], product: Product, user: AbstractBaseUser | None, notes: str
) -> int:
    """Resolve ``exceptions`` with ``product``: two UPDATEs, however many rows."""
    now = timezone.now()
    # The ids first: once resolved, the rows may no longer match the queryset's filter.
    ids = list(exceptions.values_list("pk", flat=True))
    if not ids:
        return 0
    count = OrderItemException.objects.filter(pk__in=ids).update(
        status=OrderItemException.Status.RESOLVED,
        resolved_product=product,
        resolved_by=user,
        resolved_at=now,
        notes=notes,
        ignore_reason="",
        updated_at=now,
    )
    OrderItem.objects.filter(exception__pk__in=ids).update(product=product, needs_product_match=False, updated_at=now)
    return count


def _pending_with_gtin(*, store: Store, gtin: str) -> QuerySet[OrderItemException]:
    """Pending exceptions of ``store`` whose GTIN is ``gtin`` in any form (GTIN-8 … 14, spaces)."""
    text = (gtin or "").strip()
    qs = OrderItemException.objects.filter(store=store, status=OrderItemException.Status.PENDING)
    normalized = gtin_normalize(text).gtin14
    if normalized:
        return qs.filter(gtin_normalized=normalized)
    # An invalid GTIN has no normal form: only the same text matches.
    return qs.filter(original_gtin=text)


@transaction.atomic
def exception_resolve(
    *,
    exception: OrderItemException,
    product_id,
    user: AbstractBaseUser | None,
    notes: str = "",
    apply_to_all_with_gtin: bool = False,
) -> int:
    """Assign a product of the exception's store to its item; returns how many were resolved.

    An ignored or resolved exception may be resolved again (a correction). With
    ``apply_to_all_with_gtin`` every pending exception of the store with the same GTIN follows
    ("Apply to all exceptions with this GTIN"). Who and when are kept on each row.
    """
    product = _product_of_store(store=exception.store, product_id=product_id)
    gtin = exception.gtin_normalized or exception.original_gtin
    if apply_to_all_with_gtin and not gtin.strip():
        raise InvalidInput(
            _("This item came without a GTIN: resolve its exceptions one by one."), field="apply_to_all_with_gtin"
        )
    if apply_to_all_with_gtin and exception.exception_type == OrderItemException.Type.DUPLICATE_GTIN:
        # Several products of the catalog carry this GTIN: one choice for every order would map
        # some of them to the wrong product (docs/exceptions.md).
        raise InvalidInput(
            _(
                "Several products of the catalog have this GTIN, so each order may mean a different one: "
                "resolve these exceptions one by one."
            ),
            field="apply_to_all_with_gtin",
        )
    targets = OrderItemException.objects.filter(pk=exception.pk)
    if apply_to_all_with_gtin:
        targets = targets | _pending_with_gtin(store=exception.store, gtin=gtin)
    count = _resolve(exceptions=targets, product=product, user=user, notes=(notes or "").strip())
    exception.refresh_from_db()
    return count


@transaction.atomic
def exception_ignore(
    *, exception: OrderItemException, user: AbstractBaseUser | None, reason: str, notes: str = ""
) -> OrderItemException:
    """Mark as ignored, with a reason. An ignored exception still blocks the order's
    confirmation (docs/exceptions.md): ignoring says "this will never match", not "ship it anyway"."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why this exception is ignored."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(
            _("Keep the reason under %(max)s characters; longer text belongs in the notes.")
            % {"max": REASON_MAX_LENGTH},
            field="reason",
        )
    # Read the status under a row lock: a concurrent resolve must not be overwritten.
    current = OrderItemException.objects.select_for_update().values_list("status", flat=True).get(pk=exception.pk)
    if current == OrderItemException.Status.RESOLVED:
        raise Conflict(_("This exception is already resolved with a product."))
    exception.status = OrderItemException.Status.IGNORED
    exception.ignore_reason = reason
    exception.notes = (notes or "").strip()
    exception.resolved_by = user
    exception.resolved_at = timezone.now()
    exception.save(update_fields=["status", "ignore_reason", "notes", "resolved_by", "resolved_at", "updated_at"])
    return exception


@transaction.atomic
def exceptions_bulk_resolve(
    *, store: Store, gtin: str, product_id, user: AbstractBaseUser | None, notes: str = ""
) -> int:
    """Resolve every pending exception of ``store`` with ``gtin`` (in any of its forms); returns
    the count. Ignored exceptions are left alone: someone decided on each of them."""
    if not (gtin or "").strip():
        raise InvalidInput(_("Give the GTIN whose exceptions to resolve."), field="gtin")
    product = _product_of_store(store=store, product_id=product_id)
    return _resolve(
        exceptions=_pending_with_gtin(store=store, gtin=gtin), product=product, user=user, notes=(notes or "").strip()
    )


def exceptions_auto_match(*, store: Store, gtins: set[str]) -> int:
    """Resolve the store's pending exceptions whose GTIN now matches exactly one active product.

    ``gtins`` are GTIN-14s (``Product.gtin_normalized``). Set-based: per chunk of GTINs one
    UPDATE of exceptions, then one UPDATE of their items, so that the number of queries does
    not grow with the number of exceptions resolved. A GTIN shared by several active products
    stays pending: which one is meant is a person's call.
    """
    gtins = {g for g in gtins if g}
    if not gtins:
        return 0
    now = timezone.now()
    note = _("Auto-matched when the product entered the catalog.")
    catalog = matchable_products(store=store).filter(gtin_normalized=OuterRef("gtin_normalized"))
    match_count = catalog.order_by().values("gtin_normalized").annotate(n=Count("id")).values("n")
    resolved = 0
    sorted_gtins = sorted(gtins)
    with transaction.atomic():
        for start in range(0, len(sorted_gtins), AUTO_MATCH_CHUNK):
            chunk = sorted_gtins[start : start + AUTO_MATCH_CHUNK]
            resolved += (
                OrderItemException.objects.filter(
                    store=store, status=OrderItemException.Status.PENDING, gtin_normalized__in=chunk
                )
                .annotate(matches=Subquery(match_count))
                .filter(matches=1)
                .update(
                    status=OrderItemException.Status.RESOLVED,
                    resolved_product=Subquery(catalog.order_by().values("id")[:1]),
                    resolved_by=None,
                    resolved_at=now,
                    notes=note,
                    updated_at=now,
                )
            )
        if resolved:
            # Items still flagged whose exception is resolved follow its product (one UPDATE).
            OrderItem.objects.filter(
                order__store=store, needs_product_match=True, exception__status=OrderItemException.Status.RESOLVED
            ).update(
                product=Subquery(
                    OrderItemException.objects.filter(order_item=OuterRef("pk"))
                    .order_by()
                    .values("resolved_product")[:1]
                ),
                needs_product_match=False,
                updated_at=now,
            )
    return resolved


# --- the exceptions an import opens (docs/exceptions.md) --------------------------------------


def item_exception_kind(*, gtin: Gtin, products: Sequence[int]) -> tuple[str, str] | None:
    """The exception an order item opens, as (type, detail), given the catalog products its GTIN
    names; None when exactly one product matches."""
    if not gtin.is_valid:
        return OrderItemException.Type.GTIN_MISMATCH, gtin.problem
    if len(products) == 1:
        return None
    if not products:
        return OrderItemException.Type.PRODUCT_NOT_FOUND, "no product of the catalog has this GTIN"
    return OrderItemException.Type.DUPLICATE_GTIN, f"{len(products)} products of the catalog have this GTIN"


def item_exception_row(
    *, store_id: int, order_id: int | None, gtin: Gtin, gtin_raw: str, name: str, sku: str, kind: tuple[str, str]
) -> dict[str, Any]:
    """The row of a pending exception for an item (``order_id`` may be set later by the caller,
    ``order_item_id`` by ``item_exceptions_open``)."""
    exception_type, detail = kind
    return {
        "store_id": store_id,
        "order_id": order_id,
        "exception_type": exception_type,
        "status": OrderItemException.Status.PENDING,
        "original_gtin": gtin_raw[:64],
        "gtin_normalized": gtin.gtin14,
        "original_product_name": name,
        "original_sku": sku,
        "detail": detail[:255],
    }


def item_exceptions_open(*, rows: list[dict[str, Any]], ids: list[int] | None = None) -> list[int]:
    """Open the exceptions of these items (rows of ``item_exception_row`` with their
    ``order_item_id``), in bulk; returns their ids."""
    return insert_rows(OrderItemException, rows, ids=ids)
