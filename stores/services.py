"""Writes of stores, memberships and catalogs."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from config.bulk import insert_rows
from config.errors import Conflict, InvalidInput, NotFound
from merchants.models import Merchant
from stores.gtin import gtin_normalize, gtin_type_of
from stores.hooks import catalog_gtins_added
from stores.models import Product, Store, StoreMembership

User = get_user_model()

PLACEHOLDER_NAME = "Unmatched Letzshop product (placeholder)"
PLACEHOLDER_SKU = "__letzshop_placeholder__"
PRODUCT_FIELDS = ("name", "sku", "gtin", "gtin_type", "price", "is_active")
IMPORT_BATCH = 2000


@transaction.atomic
def store_create(*, merchant: Merchant, name: str, code: str = "", is_active: bool = True) -> Store:
    code = slugify(code or name)
    if not code:
        raise InvalidInput(_("Give the store a code (letters, digits, dashes)."), field="code")
    if Store.objects.filter(code=code).exists():
        raise InvalidInput(_("The code %(code)s is taken: choose another.") % {"code": repr(code)}, field="code")
    store = Store.objects.create(merchant=merchant, name=name, code=code, is_active=is_active)
    placeholder_product_get(store=store)
    return store


def user_create(*, username: str, password: str, email: str = "", is_staff: bool = False, is_superuser: bool = False):
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("The username %(name)s is taken.") % {"name": repr(username)}, field="username")
    user = User(username=username, email=email, is_staff=is_staff or is_superuser, is_superuser=is_superuser)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages), field="password") from None
    user.set_password(password)
    user.save()
    return user


def membership_add(*, store: Store, user_id: int, role: str) -> StoreMembership:
    if role not in StoreMembership.Role.values:
        raise InvalidInput(
            _("Role must be one of %(roles)s.") % {"roles": ", ".join(StoreMembership.Role.values)}, field="role"
        )
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise InvalidInput(_("User %(id)s does not exist.") % {"id": user_id}, field="user_id")
    membership, _created = StoreMembership.objects.update_or_create(user=user, store=store, defaults={"role": role})
    return membership


def membership_remove(*, store: Store, user_id: int) -> None:
    deleted, _rows = StoreMembership.objects.filter(store=store, user_id=user_id).delete()
    if not deleted:
        raise NotFound(_("User %(id)s is not a member of this store.") % {"id": user_id})


def placeholder_product_get(*, store: Store) -> Product:
    """The store's placeholder product, created on first use (one per store, a constraint)."""
    product = Product.objects.filter(store=store, is_placeholder=True).first()
    if product is not None:
        return product
    try:
        with transaction.atomic():
            return Product.objects.create(
                store=store, name=PLACEHOLDER_NAME, sku=PLACEHOLDER_SKU, is_placeholder=True, is_active=False
            )
    except IntegrityError:  # created concurrently by another import
        return Product.objects.get(store=store, is_placeholder=True)


# --- catalog ---------------------------------------------------------------------------------


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "on"):
        return True
    if text in ("0", "false", "no", "n", "off", ""):
        return False
    raise ValueError(_("%(value)s is not true or false") % {"value": repr(value)})


def product_fields_clean(data: dict[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate catalog fields; raises a ValidationError naming each field at fault."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    unknown = set(data) - set(PRODUCT_FIELDS)
    if unknown:
        errors["non_field_errors"] = [_("Unknown field(s): %(fields)s.") % {"fields": ", ".join(sorted(unknown))}]
    if "name" in data or not partial:
        name = str(data.get("name") or "").strip()
        if not name:
            errors["name"] = [_("A product needs a name.")]
        elif len(name) > 500:
            errors["name"] = [_("At most 500 characters.")]
        clean["name"] = name
    if "sku" in data or not partial:
        sku = str(data.get("sku") or "").strip()
        if sku == PLACEHOLDER_SKU or len(sku) > 100:
            errors["sku"] = [_("This SKU is reserved or longer than 100 characters.")]
        clean["sku"] = sku
    if "gtin" in data or not partial:
        raw = str(data.get("gtin") or "").strip()
        clean["gtin"] = raw
        clean["gtin_normalized"] = ""
        if raw:
            gtin = gtin_normalize(raw, data.get("gtin_type") or None)
            if not gtin.is_valid:
                errors["gtin"] = [
                    _("%(gtin)s is not a valid GTIN (%(problem)s).") % {"gtin": raw, "problem": gtin.problem}
                ]
            else:
                clean["gtin_normalized"] = gtin.gtin14
                if not data.get("gtin_type"):
                    clean["gtin_type"] = gtin_type_of(gtin.digits)
    if data.get("gtin_type"):
        if data["gtin_type"] not in Product.GtinType.values:
            errors["gtin_type"] = [_("One of %(types)s.") % {"types": ", ".join(Product.GtinType.values)}]
        else:
            clean["gtin_type"] = data["gtin_type"]
    elif "gtin_type" in data or not partial:
        clean.setdefault("gtin_type", "")
    if "price" in data or not partial:
        try:
            price = Decimal(str(data.get("price") if data.get("price") not in (None, "") else "0"))
            if not price.is_finite() or price < 0:
                raise InvalidOperation
            clean["price"] = price.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors["price"] = [
                _("%(value)s is not a price (a number ≥ 0, like 19.99).") % {"value": repr(data.get("price"))}
            ]
    if "is_active" in data or not partial:
        try:
            value = data.get("is_active")
            clean["is_active"] = True if value in (None, "") else _as_bool(value)
        except ValueError as exc:
            errors["is_active"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return clean


def _auto_match(*, store: Store, products: Iterable[Product]) -> int:
    return catalog_gtins_added(store=store, gtins={p.gtin_normalized for p in products if p.gtin_normalized})


@transaction.atomic
def product_create(*, store: Store, data: dict[str, Any]) -> tuple[Product, int]:
    """Create a catalog product; pending exceptions with its GTIN are resolved with it.

    Returns the product and how many exceptions it resolved.
    """
    clean = product_fields_clean(data)
    if clean["sku"] and Product.objects.filter(store=store, sku=clean["sku"]).exists():
        raise InvalidInput(_("The SKU %(sku)s is already in this catalog.") % {"sku": repr(clean["sku"])}, field="sku")
    product = Product.objects.create(store=store, **clean)
    return product, _auto_match(store=store, products=[product])


@transaction.atomic
def product_update(*, product: Product, data: dict[str, Any]) -> tuple[Product, int]:
    clean = product_fields_clean(data, partial=True)
    if (
        clean.get("sku")
        and Product.objects.filter(store=product.store, sku=clean["sku"]).exclude(pk=product.pk).exists()
    ):
        raise InvalidInput(_("The SKU %(sku)s is already in this catalog.") % {"sku": repr(clean["sku"])}, field="sku")
    for name, value in clean.items():
        setattr(product, name, value)
    product.save()
    return product, _auto_match(store=product.store, products=[product])


def product_delete(*, product: Product) -> None:
    if product.order_items.exists():
        raise Conflict(_("This product is on orders: deactivate it instead of deleting it."))
    product.delete()


@dataclass
class CatalogImportResult:
    created: int = 0
    updated: int = 0
    exceptions_resolved: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "exceptions_resolved": self.exceptions_resolved,
            "errors": self.errors,
        }


def catalog_rows_from_csv(text: str) -> list[dict[str, Any]]:
    """Rows of a catalog CSV (header: name, sku, gtin, gtin_type, price, is_active)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        raise InvalidInput(_("The CSV file is empty: its first line must name the columns."))
    missing = {"name", "sku"} - {name.strip() for name in reader.fieldnames}
    if missing:
        raise InvalidInput(
            _("The CSV file lacks the column(s): %(columns)s.") % {"columns": ", ".join(sorted(missing))}
        )
    return [
        {key.strip(): (value or "").strip() for key, value in row.items() if key and key.strip() in PRODUCT_FIELDS}
        for row in reader
    ]


def catalog_import(*, store: Store, rows: list[dict[str, Any]], progress=None) -> CatalogImportResult:
    """Upsert catalog rows by SKU, in bulk, then auto-match pending exceptions by GTIN.

    Invalid rows are reported in ``errors`` (with their 1-based row number) and skipped; the
    others are written. The number of queries grows with the number of rows / IMPORT_BATCH,
    never with the number of exceptions resolved.
    """
    result = CatalogImportResult()
    if not isinstance(rows, list):
        raise InvalidInput(_("Send a JSON list of products, or a CSV file."))
    cleaned: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            result.errors.append({"row": index, "errors": {"non_field_errors": [_("A product is an object.")]}})
            continue
        try:
            clean = product_fields_clean(row)
        except ValidationError as exc:
            result.errors.append({"row": index, "sku": str(row.get("sku") or ""), "errors": exc.message_dict})
            continue
        if not clean["sku"]:
            result.errors.append(
                {"row": index, "errors": {"sku": [_("The import matches products by SKU: give one.")]}}
            )
            continue
        if clean["sku"] in cleaned:
            result.errors.append(
                {
                    "row": index,
                    "sku": clean["sku"],
                    "errors": {"sku": [_("Also on row %(row)d.") % {"row": cleaned[clean["sku"]][0]}]},
                }
            )
            continue
        cleaned[clean["sku"]] = (index, clean)

    skus = list(cleaned)
    now = timezone.now()
    for start in range(0, len(skus), IMPORT_BATCH):
        batch = skus[start : start + IMPORT_BATCH]
        with transaction.atomic():
            existing = {p.sku: p for p in Product.objects.filter(store=store, sku__in=batch)}
            to_create, to_update = [], []
            for sku in batch:
                clean = cleaned[sku][1]
                product = existing.get(sku)
                if product is None:
                    to_create.append({"store_id": store.pk, **clean})
                    continue
                if any(getattr(product, name) != value for name, value in clean.items()):
                    for name, value in clean.items():
                        setattr(product, name, value)
                    product.updated_at = now  # bulk_update does not apply auto_now
                    to_update.append(product)
            # Rows are already clean: a multi-row INSERT of dicts, without a model instance each.
            insert_rows(Product, to_create)
            Product.objects.bulk_update(to_update, [*PRODUCT_FIELDS, "gtin_normalized", "updated_at"], batch_size=500)
        result.created += len(to_create)
        result.updated += len(to_update)
        if progress:
            progress(min(start + IMPORT_BATCH, len(skus)), len(skus))
    # Every GTIN of the file, not only those of changed rows: importing the same file again
    # then also resolves exceptions left pending by an interrupted import, or created while
    # the product was inactive.
    gtins = {clean["gtin_normalized"] for _row, clean in cleaned.values() if clean["gtin_normalized"]}
    result.exceptions_resolved = catalog_gtins_added(store=store, gtins=gtins)
    return result


@transaction.atomic
def products_copy_to_store_catalog(*, products: Iterable[Product], store: Store) -> CatalogImportResult:
    """Copy products from another source (another store's catalog, a marketplace feed) into
    ``store``'s catalog, upserting by SKU; auto-matches pending exceptions like any import.
    Placeholder products never travel: they stand for a store's own unmatched items."""
    rows = [
        {name: getattr(product, name) for name in PRODUCT_FIELDS} for product in products if not product.is_placeholder
    ]
    return catalog_import(store=store, rows=rows)


def catalog_copy(*, store: Store, source_store_id: int, product_ids: list[int] | None = None) -> CatalogImportResult:
    """Copy the catalog of store ``source_store_id`` (or the listed products of it) into
    ``store``'s, upserting by SKU and auto-matching pending exceptions (``copy_to_store_catalog``).

    Every listed id must be a product of the source store: unknown ids are refused, listed,
    rather than copying part of what was asked."""
    source_store = Store.objects.filter(pk=source_store_id).first()
    if source_store is None:
        raise InvalidInput(_("Store %(id)s does not exist.") % {"id": source_store_id}, field="source_store_id")
    if source_store.pk == store.pk:
        raise InvalidInput(_("Copy from another store: this is the store being filled."), field="source_store_id")
    products = Product.objects.filter(store=source_store, is_placeholder=False).order_by("id")
    if product_ids is not None:
        wanted = {int(pk) for pk in product_ids}
        products = products.filter(pk__in=wanted)
        missing = wanted - {p.pk for p in products}
        if missing:
            raise InvalidInput(
                _("Not products of store %(store)s: %(ids)s.")
                % {"store": source_store.pk, "ids": ", ".join(str(pk) for pk in sorted(missing))},
                field="product_ids",
            )
    return products_copy_to_store_catalog(products=list(products), store=store)


def store_update(*, store: Store, data: dict[str, Any]) -> Store:
    if "code" in data:
        code = slugify(data["code"])
        if Store.objects.filter(code=code).exclude(pk=store.pk).exists():
            raise InvalidInput(_("The code %(code)s is taken: choose another.") % {"code": repr(code)}, field="code")
        store.code = code
    for name in ("name", "is_active", "merchant"):
        if name in data:
            setattr(store, name, data[name])
    store.save()
    return store


@transaction.atomic
def store_delete(*, store: Store) -> None:
    if store.orders.exists():
        raise Conflict(_("This store has orders: deactivate it (is_active false) instead of deleting it."))
    store.delete()
