"""Reads of stores, memberships and catalogs. Every catalog read takes the store."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from config.errors import NotFound
from stores.models import Product, Store, StoreMembership
from stores.tenancy import store_required


def stores_for_user(*, user: AbstractBaseUser) -> QuerySet[Store]:
    """The stores a user may act for: all of them for a platform admin, else its memberships."""
    if user.is_staff:
        return Store.objects.all()
    return Store.objects.filter(memberships__user=user)


def store_get(*, store_id: int) -> Store:
    try:
        return Store.objects.select_related("merchant").get(pk=store_id)
    except (Store.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext("Store %(id)s not found.") % {"id": store_id}) from None


def membership_list(*, store: Store) -> QuerySet[StoreMembership]:
    store_required(store)
    return StoreMembership.objects.filter(store=store).select_related("user")


def memberships_for_user(*, user: AbstractBaseUser) -> QuerySet[StoreMembership]:
    return StoreMembership.objects.filter(user=user).select_related("store").order_by("store__name")


def product_list(*, store: Store, search: str | None = None) -> QuerySet[Product]:
    """The store's catalog (without its placeholder product), searchable by name, SKU or GTIN."""
    store_required(store)
    qs = Product.objects.filter(store=store, is_placeholder=False)
    return product_search(queryset=qs, search=search)


def product_search(*, queryset: QuerySet[Product], search: str | None) -> QuerySet[Product]:
    from stores.gtin import gtin_normalize

    search = (search or "").strip()
    if not search:
        return queryset
    condition = Q(name__icontains=search) | Q(sku__icontains=search) | Q(gtin__icontains=search)
    normalized = gtin_normalize(search).gtin14
    if normalized:
        condition |= Q(gtin_normalized=normalized)
    return queryset.filter(condition)


def product_get(*, store: Store, product_id: int) -> Product:
    store_required(store)
    try:
        return Product.objects.get(store=store, pk=product_id, is_placeholder=False)
    except (Product.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext("Product %(id)s not found in this store.") % {"id": product_id}) from None


def matchable_products(*, store: Store) -> QuerySet[Product]:
    """The products an order item may be matched to by GTIN: the store's active catalog, never
    its placeholder. The import's matching and the exceptions' auto-match both start here."""
    store_required(store)
    return Product.objects.filter(store=store, is_active=True, is_placeholder=False)


def products_by_gtin(*, store: Store, gtins: set[str]) -> dict[str, list[int]]:
    """Matchable products per normalised GTIN, for matching order items (one query)."""
    store_required(store)
    matches: dict[str, list[int]] = {}
    if not gtins:
        return matches
    rows = (
        matchable_products(store=store)
        .filter(gtin_normalized__in=gtins)
        .order_by()
        .values_list("gtin_normalized", "id")
    )
    for gtin, product_id in rows:
        matches.setdefault(gtin, []).append(product_id)
    return matches
