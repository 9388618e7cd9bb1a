"""Writes of stores, memberships and catalogs."""

import codecs
import csv
from collections.abc import Iterable, Iterator
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
from config.validation import row_errors, row_validate
from merchants.models import Merchant
from stores.gtin import gtin_normalize, gtin_type_of
from stores.hooks import catalog_gtins_added, store_adding_check
from stores.models import Product, Store, StoreMembership

User = get_user_model()

PLACEHOLDER_NAME = "Unmatched Letzshop product (placeholder)"
PLACEHOLDER_SKU = "__letzshop_placeholder__"
PRODUCT_FIELDS = ("name", "sku", "gtin", "gtin_type", "price", "is_active")
IMPORT_BATCH = 2000


@transaction.atomic
def store_create(
    *, merchant: Merchant, name: str, code: str = "", is_active: bool = True, time_zone: str = ""
) -> Store:
    code = slugify(code or name)
    if not code:
        raise InvalidInput(_("Give the store a code (letters, digits, dashes)."), field="code")
    if Store.objects.filter(code=code).exists():
        raise InvalidInput(_("The code %(code)s is taken: choose another.") % {"code": repr(code)}, field="code")
    store_adding_check(merchant=merchant)  # a plan's store limit (docs/billing.md)
    store = Store(merchant=merchant, name=name, code=code, is_active=is_active)
    if time_zone:
        store.time_zone = time_zone  # checked by the model's validator (the API's serializer, the admin's form)
    store.save()
    placeholder_product_get(store=store)
    return store


def user_create(*, username: str, password: str, email: str = "", is_staff: bool = False, is_superuser: bool = False):
    if User.objects.filter(username=username).exists():
        raise InvalidInput(_("The username %(name)s is taken.") % {"name": repr(username)}, field="username")
    row_validate(User, {"username": username, "email": email})  # the model's limits and username rule
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
    if not isinstance(value, str | int) or isinstance(value, int) and value not in (0, 1):
        raise ValueError(_("%(value)s is not true or false") % {"value": repr(value)[:40]})
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "y", "on"):
        return True
    if text in ("0", "false", "no", "n", "off", ""):
        return False
    raise ValueError(_("%(value)s is not true or false") % {"value": repr(value)[:40]})


def _as_text(value: Any) -> str:
    """A text field as sent: JSON may carry a number for a SKU or a GTIN, never a list or an object."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(_("Expected text."))
    return str(value).strip()


def _as_price(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal("0.00")
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise InvalidOperation
    price = Decimal(str(value).strip())
    if not price.is_finite() or price < 0:
        raise InvalidOperation
    try:
        cents = price.quantize(Decimal("0.01"))
    except InvalidOperation:  # more digits than any price: the model's limits say so
        return price
    # 19.9 and 19.900 are 19.90; 19.999 stays as sent, and the model's limits refuse it.
    return cents if cents == price else price


def product_fields_clean(data: Any, *, partial: bool = False) -> dict[str, Any]:
    """The one validation of a catalog product, used by every write path: the API (through
    ProductSerializer), the JSON and CSV import, the catalog copy and the admin's form.

    Values are read as their fields expect (text, a price, a boolean, a valid GTIN), then checked
    against the Product model's own limits (config.validation: length, digits, places, choices).
    Raises a ValidationError naming each field at fault."""
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [_("A product is a JSON object of its fields.")]})
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    unknown = set(data) - set(PRODUCT_FIELDS)
    if unknown:
        names = ", ".join(sorted(str(name)[:40] for name in unknown)[:10])
        errors["non_field_errors"] = [_("Unknown field(s): %(fields)s.") % {"fields": names}]

    def text(name: str) -> str | None:
        try:
            return _as_text(data.get(name))
        except ValueError as exc:
            errors[name] = [str(exc)]
            return None

    if "name" in data or not partial:
        name = text("name")
        if name is not None:
            if not name:
                errors["name"] = [_("A product needs a name.")]
            clean["name"] = name
    if "sku" in data or not partial:
        sku = text("sku")
        if sku is not None:
            if sku == PLACEHOLDER_SKU:
                errors["sku"] = [_("This SKU is reserved: choose another.")]
            clean["sku"] = sku
    gtin_type = text("gtin_type") if "gtin_type" in data else ""
    if gtin_type:
        clean["gtin_type"] = gtin_type
    elif "gtin_type" in data or not partial:
        clean["gtin_type"] = ""
    if "gtin" in data or not partial:
        raw = text("gtin")
        if raw is not None:
            clean["gtin"] = raw
            clean["gtin_normalized"] = ""
            if raw:
                gtin = gtin_normalize(raw, gtin_type or None)
                if not gtin.is_valid:
                    errors["gtin"] = [
                        _("%(gtin)s is not a valid GTIN (%(problem)s).") % {"gtin": raw[:40], "problem": gtin.problem}
                    ]
                else:
                    clean["gtin_normalized"] = gtin.gtin14
                    if not gtin_type:
                        clean["gtin_type"] = gtin_type_of(gtin.digits)
    if "price" in data or not partial:
        try:
            clean["price"] = _as_price(data.get("price"))
        except (InvalidOperation, ValueError):
            errors["price"] = [
                _("%(value)s is not a price (a number ≥ 0, like 19.99).") % {"value": repr(data.get("price"))[:40]}
            ]
    if "is_active" in data or not partial:
        try:
            value = data.get("is_active")
            clean["is_active"] = True if value in (None, "") else _as_bool(value)
        except ValueError as exc:
            errors["is_active"] = [str(exc)]
    # The model's limits (digits, places, length, choices), for what is still unchecked.
    for name, messages in row_errors(Product, clean).items():
        errors.setdefault(name, messages)
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


# The import reports at most this many rows in ``errors`` (a count says how many more failed).
MAX_REPORTED_ERRORS = 1000
CSV_CHUNK = 64 * 1024


class CatalogInputError(InvalidInput):
    """The catalog file itself cannot be read (not UTF-8, a field too long, no header)."""


class CsvLines:
    """Lines of UTF-8 bytes arriving in chunks, decoded as they come (a byte-order mark dropped):
    a CSV body is never held whole, as bytes or as text. ``line`` is the number of the last
    line handed out, for messages."""

    def __init__(self, chunks: Iterable[bytes]):
        self.chunks = chunks
        self.line = 0

    def _not_utf8(self, line: int) -> CatalogInputError:
        return CatalogInputError(
            _("Line %(line)d of the CSV file is not UTF-8 text: save the file as UTF-8.") % {"line": line},
            field="file",
        )

    def __iter__(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")("strict")
        pending, first = "", True
        for chunk in self.chunks:
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                before = self.line + pending.count("\n") + chunk[: max(0, exc.start)].count(b"\n")
                raise self._not_utf8(before + 1) from None
            if first and text:
                text, first = text.removeprefix("\ufeff"), False
            pending += text
            *complete, pending = pending.split("\n")
            for piece in complete:
                self.line += 1
                yield piece + "\n"
        try:
            pending += decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise self._not_utf8(self.line + 1) from None
        if pending:
            self.line += 1
            yield pending


def _chunks_of(source) -> Iterator[bytes]:
    if isinstance(source, str):
        yield source.encode("utf-8", "surrogatepass")
        return
    if isinstance(source, bytes):
        yield source
        return
    while chunk := source.read(CSV_CHUNK):
        yield chunk


def catalog_rows_from_csv(source) -> Iterator[dict[str, Any]]:
    """Rows of a catalog CSV (header: name, sku, gtin, gtin_type, price, is_active), one at a time.

    ``source`` is text, bytes or a binary stream (an upload, a request body): it is read in
    chunks as the rows are consumed. The header is checked at once; a line that cannot be read
    (not UTF-8, a field over csv's 128 KB limit) raises CatalogInputError naming its line."""
    lines = CsvLines(_chunks_of(source))
    reader = csv.DictReader(lines)
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise CatalogInputError(_("Line 1 of the CSV file cannot be read (%(problem)s).") % {"problem": exc}) from None
    if not fieldnames:
        raise CatalogInputError(_("The CSV file is empty: its first line must name the columns."), field="file")
    missing = {"name", "sku"} - {name.strip() for name in fieldnames}
    if missing:
        raise CatalogInputError(
            _("The CSV file lacks the column(s): %(columns)s.") % {"columns": ", ".join(sorted(missing))}, field="file"
        )
    return _csv_rows(reader, lines)


def _csv_rows(reader: csv.DictReader, lines: CsvLines) -> Iterator[dict[str, Any]]:
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CatalogInputError(
                _("Line %(line)d of the CSV file cannot be read (%(problem)s).") % {"line": lines.line, "problem": exc},
                field="file",
            ) from None
        yield {
            key.strip(): (value or "").strip() if isinstance(value, str) else ""
            for key, value in row.items()
            if key and key.strip() in PRODUCT_FIELDS
        }


def _batches(rows: Iterable[Any], size: int) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for index, row in enumerate(rows, start=1):
        batch.append((index, row))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@transaction.atomic
def catalog_import(*, store: Store, rows: Iterable[dict[str, Any]], progress=None) -> CatalogImportResult:
    """Upsert catalog rows by SKU, in bulk, then auto-match pending exceptions by GTIN.

    Rows are read, validated (product_fields_clean) and written IMPORT_BATCH at a time, so that a
    large file is never held whole. Invalid rows are reported in ``errors`` (with their 1-based
    row number and the fields at fault) and skipped; the others are written. A file that cannot
    be read (CatalogInputError) writes nothing. The number of queries grows with the number of
    rows / IMPORT_BATCH, never with the number of exceptions resolved.
    """
    result = CatalogImportResult()
    if isinstance(rows, dict | str | bytes) or not isinstance(rows, Iterable):
        raise InvalidInput(_("Send a JSON list of products, or a CSV file."))
    total = len(rows) if isinstance(rows, list) else None
    seen: dict[str, int] = {}  # SKU → the row that brought it
    gtins: set[str] = set()
    omitted = 0
    now = timezone.now()

    def report(error: dict[str, Any]) -> None:
        nonlocal omitted
        if len(result.errors) < MAX_REPORTED_ERRORS:
            result.errors.append(error)
        else:
            omitted += 1

    for batch in _batches(rows, IMPORT_BATCH):
        cleaned: dict[str, dict[str, Any]] = {}
        for index, row in batch:
            try:
                clean = product_fields_clean(row)
            except ValidationError as exc:
                sku = row.get("sku") if isinstance(row, dict) else None
                sku = str(sku)[:100] if isinstance(sku, str | int) else ""
                report({"row": index, "sku": sku, "errors": exc.message_dict})
                continue
            if not clean["sku"]:
                report({"row": index, "errors": {"sku": [_("The import matches products by SKU: give one.")]}})
                continue
            if clean["sku"] in seen:
                report(
                    {
                        "row": index,
                        "sku": clean["sku"],
                        "errors": {"sku": [_("Also on row %(row)d.") % {"row": seen[clean["sku"]]}]},
                    }
                )
                continue
            seen[clean["sku"]] = index
            cleaned[clean["sku"]] = clean
            if clean["gtin_normalized"]:
                gtins.add(clean["gtin_normalized"])
        existing = {p.sku: p for p in Product.objects.filter(store=store, sku__in=list(cleaned))}
        to_create, to_update = [], []
        for sku, clean in cleaned.items():
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
            done = batch[-1][0]
            progress(done, total if total is not None else done)
    if omitted:
        result.errors.append(
            {"row": None, "errors": {"non_field_errors": [_("%(n)d more rows failed.") % {"n": omitted}]}}
        )
    # Every GTIN of the file, not only those of changed rows: importing the same file again
    # then also resolves exceptions left pending by an interrupted import, or created while
    # the product was inactive.
    result.exceptions_resolved = catalog_gtins_added(store=store, gtins=gtins)
    return result


@transaction.atomic
def catalog_products_copy(*, products: Iterable[Product], store: Store) -> CatalogImportResult:
    """Copy products from another source (another store's catalog, a marketplace feed) into
    ``store``'s catalog, upserting by SKU; auto-matches pending exceptions like any import.
    Placeholder products never travel: they stand for a store's own unmatched items."""
    rows = [
        {name: getattr(product, name) for name in PRODUCT_FIELDS} for product in products if not product.is_placeholder
    ]
    return catalog_import(store=store, rows=rows)


def catalog_copy(*, store: Store, source_store_id: int, product_ids: list[int] | None = None) -> CatalogImportResult:
    """Copy the catalog of store ``source_store_id`` (or the listed products of it) into
    ``store``'s, upserting by SKU and auto-matching pending exceptions.

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
    return catalog_products_copy(products=list(products), store=store)


@transaction.atomic
def store_update(*, store: Store, data: dict[str, Any]) -> Store:
    if "code" in data:
        code = slugify(data["code"])
        if Store.objects.filter(code=code).exclude(pk=store.pk).exists():
            raise InvalidInput(_("The code %(code)s is taken: choose another.") % {"code": repr(code)}, field="code")
        store.code = code
    if "merchant" in data and data["merchant"].pk != store.merchant_id:
        store_adding_check(merchant=data["merchant"])  # a plan's store limit (docs/billing.md)
    for name in ("name", "is_active", "merchant", "time_zone"):
        if name in data:
            setattr(store, name, data[name])
    store.save()
    return store


@transaction.atomic
def store_delete(*, store: Store) -> None:
    if store.orders.exists():
        raise Conflict(_("This store has orders: deactivate it (is_active false) instead of deleting it."))
    store.delete()
