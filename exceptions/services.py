"""The QC workflow of product exceptions: resolve, ignore, bulk resolve, auto-match."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from config.errors import Conflict, InvalidInput
from exceptions.models import OrderItemException
from orders.models import OrderItem
from stores.gtin import gtin_normalize
from stores.models import Product, Store

AUTO_MATCH_NOTE = "Auto-matched when the product entered the catalog."
AUTO_MATCH_CHUNK = 2000


def _product_of_store(*, store: Store, product_id) -> Product:
    product = Product.objects.filter(pk=product_id, store=store, is_placeholder=False).first() if product_id else None
    if product is None:
        # Another store's product answers like a missing one: nothing about it leaks.
        raise InvalidInput(f"Product {product_id} is not in this store's catalog.", field="product_id")
    return product


def _resolve_rows(*, exception_ids: list[int], product: Product, user: AbstractBaseUser | None, notes: str) -> int:
    now = timezone.now()
    count = OrderItemException.objects.filter(pk__in=exception_ids).update(
        status=OrderItemException.Status.RESOLVED,
        resolved_product=product,
        resolved_by=user,
        resolved_at=now,
        notes=notes,
        ignore_reason="",
        updated_at=now,
    )
    OrderItem.objects.filter(exception__pk__in=exception_ids).update(
        product=product, needs_product_match=False, updated_at=now
    )
    return count


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
    ``apply_to_all_with_gtin`` every pending exception of the store with the same GTIN follows.
    """
    product = _product_of_store(store=exception.store, product_id=product_id)
    ids = [exception.pk]
    if apply_to_all_with_gtin:
        ids += list(
            _pending_with_gtin(store=exception.store, gtin=exception.original_gtin)
            .exclude(pk=exception.pk)
            .values_list("pk", flat=True)
        )
    count = _resolve_rows(exception_ids=ids, product=product, user=user, notes=notes)
    exception.refresh_from_db()
    return count


@transaction.atomic
def exception_ignore(
    *, exception: OrderItemException, user: AbstractBaseUser | None, reason: str, notes: str = ""
) -> None:
    """Mark as ignored, with a reason. An ignored exception still blocks confirmation."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Say why this exception is ignored.", field="reason")
    if exception.status == OrderItemException.Status.RESOLVED:
        raise Conflict("This exception is already resolved with a product.")
    exception.status = OrderItemException.Status.IGNORED
    exception.ignore_reason = reason[:500]
    exception.notes = notes
    exception.resolved_by = user
    exception.resolved_at = timezone.now()
    exception.save()


def _pending_with_gtin(*, store: Store, gtin: str):
    qs = OrderItemException.objects.filter(store=store, status=OrderItemException.Status.PENDING)
    normalized = gtin_normalize(gtin).gtin14
    if normalized:
        return qs.filter(gtin_normalized=normalized)
    # An invalid GTIN has no normal form: only the same text matches.
    return qs.filter(original_gtin=(gtin or "").strip())


@transaction.atomic
def exceptions_bulk_resolve(
    *, store: Store, gtin: str, product_id, user: AbstractBaseUser | None, notes: str = ""
) -> int:
    """Resolve every pending exception of ``store`` with ``gtin``; returns the count."""
    if not (gtin or "").strip():
        raise InvalidInput("Give the GTIN whose exceptions to resolve.", field="gtin")
    product = _product_of_store(store=store, product_id=product_id)
    ids = list(_pending_with_gtin(store=store, gtin=gtin).values_list("pk", flat=True))
    return _resolve_rows(exception_ids=ids, product=product, user=user, notes=notes) if ids else 0


def exceptions_auto_match(*, store: Store, gtins: set[str]) -> int:
    """Resolve the store's pending exceptions whose GTIN now matches exactly one active product.

    Set-based: per chunk of GTINs one UPDATE of exceptions, then one UPDATE of their items,
    so the number of queries does not grow with the number of exceptions resolved. A GTIN
    shared by several products stays pending: which one is meant is a person's call.
    """
    gtins = {g for g in gtins if g}
    if not gtins:
        return 0
    now = timezone.now()
    catalog = Product.objects.filter(
        store=store, is_active=True, is_placeholder=False, gtin_normalized=OuterRef("gtin_normalized")
    )
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
                    resolved_product=Subquery(catalog.values("id")[:1]),
                    resolved_at=now,
                    notes=AUTO_MATCH_NOTE,
                    updated_at=now,
                )
            )
        if resolved:
            # Items still flagged whose exception is now resolved follow its product.
            OrderItem.objects.filter(
                order__store=store, needs_product_match=True, exception__status=OrderItemException.Status.RESOLVED
            ).update(
                product=Subquery(
                    OrderItemException.objects.filter(order_item=OuterRef("pk")).values("resolved_product")[:1]
                ),
                needs_product_match=False,
                updated_at=now,
            )
    return resolved
