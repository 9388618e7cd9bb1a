"""Deterministic shipments shaped like Letzshop's answers (see letzshop/graphql/schema.graphql).

``seed_shipments(n, seed)`` returns the same list for the same arguments. The data carries the
variety an import meets in production: several units of one variant, barcodes written in every
form Letzshop lets a merchant type, barcodes the store's catalog lacks, invalid check digits,
missing trade ids, unknown brands, three locales, addresses outside Luxembourg, orders split over
two shipments, carriers named in several spellings.

What "unmatched" means here: a unit whose barcode, once valid and in its GTIN-14 form, is not in
the demo catalog (``catalog.catalog_gtin14s()``), or that has no barcode at all. Exactly
``round(n * unmatched_ratio)`` shipments contain at least one such unit; the others contain none.
The two catalog products that share one GTIN only appear in shipments that are unmatched anyway,
so the count holds whatever an import decides for an ambiguous barcode.
"""

from __future__ import annotations

import random
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .catalog import (
    ProductText,
    catalog_texts,
    duplicate_gtins,
    gs1_check_digit,
    random_gtin13_outside_catalog,
)

Shipment = dict[str, Any]

_ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# Orders are dated back from a fixed moment so that the data does not depend on today's date.
_LATEST_ORDER_AT = datetime(2026, 1, 15, 17, 30, tzinfo=UTC)

_LOCALES = (("fr", 45), ("de", 30), ("en", 25))
_COUNTRIES = (("LU", 70), ("FR", 12), ("DE", 10), ("BE", 8))
_COUNTRY_NAMES = {"LU": "Luxembourg", "FR": "France", "DE": "Germany", "BE": "Belgium"}

_FIRST_NAMES = {
    "LU": ("Jean", "Marie", "Luc", "Anne", "Tom", "Laura", "Sven", "Lynn", "Max", "Claire", "Paul", "Sophie"),
    "FR": ("Camille", "Julien", "Élodie", "Mathieu", "Chloé", "Nicolas", "Inès"),
    "DE": ("Jürgen", "Anna", "Lukas", "Sabine", "Felix", "Katrin"),
    "BE": ("Lotte", "Pieter", "Amélie", "Thomas", "Elise"),
}
_LAST_NAMES = {
    "LU": ("Schmit", "Muller", "Weber", "Wagner", "Hoffmann", "Thill", "Kieffer", "Reuter", "Majerus", "Da Silva"),
    "FR": ("Martin", "Bernard", "Dubois", "Lefèvre", "Moreau", "Girard"),
    "DE": ("Schneider", "Fischer", "Meyer", "Becker", "Schäfer", "Koch"),
    "BE": ("Peeters", "Janssens", "Maes", "Dupont", "Lambert"),
}
# (city, first zip code, last zip code)
_CITIES = {
    "LU": (
        ("Luxembourg", 1009, 2999),
        ("Esch-sur-Alzette", 4001, 4399),
        ("Differdange", 4501, 4599),
        ("Dudelange", 3401, 3499),
        ("Ettelbruck", 9001, 9099),
        ("Echternach", 6401, 6499),
        ("Remich", 5501, 5599),
        ("Wiltz", 9501, 9599),
        ("Strassen", 8001, 8099),
    ),
    "FR": (("Metz", 57000, 57000), ("Thionville", 57100, 57100), ("Nancy", 54000, 54000), ("Paris", 75001, 75020)),
    "DE": (("Trier", 54290, 54296), ("Saarbrücken", 66111, 66133), ("Köln", 50667, 50999), ("Perl", 66706, 66706)),
    "BE": (("Arlon", 6700, 6700), ("Bruxelles", 1000, 1000), ("Liège", 4000, 4000), ("Bastogne", 6600, 6600)),
}
_STREETS = {
    "LU": ("Grand-Rue", "Avenue de la Liberté", "Rue de Hollerich", "Boulevard Royal", "Route d'Arlon", "Rue du Fossé"),
    "FR": ("Rue Serpenoise", "Rue de la République", "Avenue Foch", "Rue des Jardins"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Simeonstraße", "Moselweg"),
    "BE": ("Rue de Neufchâteau", "Grand-Place", "Kerkstraat", "Avenue de Longwy"),
}
_PHONE_FORMATS = {
    "LU": "+352 621 ### ###",
    "FR": "+33 6 ## ## ## ##",
    "DE": "+49 151 #######",
    "BE": "+32 470 ## ## ##",
}
# The Address.company field: businesses ordering for their premises.
_ORGANISATIONS = {
    "LU": ("Boulangerie Jos & Jean", "Atelier Thill S.à r.l.", "Fiduciaire Reuter", "Café um Eck"),
    "FR": ("Librairie du Pont", "Cabinet Moreau"),
    "DE": ("Kanzlei Weber GmbH", "Praxis Dr. Fischer"),
    "BE": ("Studio Peeters BV", "Épicerie Lambert"),
}

# How Letzshop names the carrier in Shipment.tracking.provider, with the spellings met in practice.
_PROVIDERS = (
    ("greco", 25),
    ("Greco", 10),
    ("colissimo", 12),
    ("Colissimo", 8),
    ("xpresslogistics", 10),
    ("XpressLogistics", 5),
    ("Post Luxembourg", 12),
    ("DHL", 8),
    ("DPD", 5),
    ("GLS", 5),
)

# Items the demo store has not put in its catalog: (en, fr, de, brand).
_UNLISTED_ITEMS: tuple[tuple[str, str | None, str | None, str | None], ...] = (
    ("Handmade Ceramic Bowl", "Bol en céramique fait main", "Handgemachte Keramikschale", "Poterie Nospelt"),
    ("Vintage Postcard Set", "Lot de cartes postales anciennes", "Vintage-Postkartenset", None),
    ("Apple Juice 1L", "Jus de pomme 1L", "Apfelsaft 1L", "Ramborn"),
    ("Wool Beanie Navy", "Bonnet en laine marine", None, "Laine & Co"),
    ("Bamboo Toothbrush", "Brosse à dents en bambou", "Bambuszahnbürste", None),
    ("Herbal Liqueur 50cl", "Liqueur aux herbes 50cl", "Kräuterlikör 50cl", "Distillerie Diekirch"),
    ("Silver Earrings Leaf", "Boucles d'oreilles feuille argent", "Silberohrringe Blatt", None),
    ("Cork Yoga Mat", "Tapis de yoga en liège", "Yogamatte aus Kork", "Moov"),
    ("Olive Oil 500ml", "Huile d'olive 500ml", "Olivenöl 500ml", None),
    ("Garden Gloves", "Gants de jardinage", "Gartenhandschuhe", "Vert Jardin"),
)
_UNLISTED_BOOKS = (("Children's Book: The Red Lion", "Le lion rouge (album)", "Der rote Löwe", None),)

# The kinds of unmatched unit, cycled over the unmatched shipments so that every kind appears.
_UNMATCHED_CYCLE = ("unknown", "bad_check_digit", "unknown", "no_trade_id", "unknown", "unknown_isbn")


class _Ids:
    """Opaque, unique ids in Letzshop's style."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def opaque(self, length: int) -> str:
        while True:
            value = "".join(self._rng.choice(_ALPHANUMERIC) for _ in range(length))
            if value not in self._used:
                self._used.add(value)
                return value

    def digits(self, prefix: str, length: int) -> str:
        while True:
            value = prefix + str(self._rng.randint(10 ** (length - 1), 10**length - 1))
            if value not in self._used:
                self._used.add(value)
                return value


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([value for value, _ in choices], weights=[weight for _, weight in choices])[0]


def _luxembourg_offset(moment: datetime) -> timedelta:
    """Luxembourg's UTC offset at ``moment`` (EU rule: summer time between the last Sundays of March and October)."""

    def last_sunday(month: int) -> datetime:
        day = datetime(moment.year, month, 31, 1, tzinfo=UTC)
        return day - timedelta(days=(day.weekday() + 1) % 7)

    return timedelta(hours=2 if last_sunday(3) <= moment < last_sunday(10) else 1)


def _completed_at(rng: random.Random, moment: datetime) -> str:
    # Mostly Rails' default (local time with its offset), some in UTC with milliseconds.
    if rng.random() < 0.1:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999):03d}Z"
    offset = _luxembourg_offset(moment)
    return moment.astimezone(timezone(offset)).isoformat()


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _address(rng: random.Random, country: str, first_name: str, last_name: str, with_organisation: bool) -> dict:
    city, zip_low, zip_high = rng.choice(_CITIES[country])
    zip_code = f"{rng.randint(zip_low, zip_high):0{4 if country in ('LU', 'BE') else 5}d}"
    if country == "LU" and rng.random() < 0.3:
        zip_code = "L-" + zip_code
    number = str(rng.randint(1, 180)) + (rng.choice("ABC") if rng.random() < 0.1 else "")
    phone = None
    if rng.random() < 0.9:
        phone = "".join(rng.choice("0123456789") if ch == "#" else ch for ch in _PHONE_FORMATS[country])
    return {
        "firstName": first_name,
        "lastName": last_name,
        "company": rng.choice(_ORGANISATIONS[country]) if with_organisation else None,
        "streetName": rng.choice(_STREETS[country]),
        "streetNumber": number,
        "city": city,
        "zipCode": zip_code,
        "phone": phone,
        "country": {"name": _COUNTRY_NAMES[country], "iso": country},
    }


def _brand(name: str | None, rng: random.Random) -> dict:
    if name is not None:
        return {"__typename": "Brand", "name": name}
    # Letzshop shows a brand it does not know with whatever the merchant typed, if anything.
    return {"__typename": "BrandUnknown", "name": rng.choice((None, "Artisan local", "Fait main"))}


def _variant(
    ids: _Ids, rng: random.Random, text: ProductText, *, sku: str | None, price: float, trade_id: dict | None
) -> dict:
    return {
        "id": ids.opaque(12),
        "sku": sku,
        "mpn": f"MPN-{rng.randint(10000, 99999)}" if rng.random() < 0.4 else None,
        "price": price,
        "tradeId": trade_id,
        "product": {
            "name": {"en": text["en"], "fr": text["fr"], "de": text["de"]},
            "_brand": _brand(text["brand"], rng),
        },
    }


def _written_forms(gtin13: str) -> dict[str, dict]:
    """A GTIN-13 as a merchant may have typed it into Letzshop."""
    return {
        "spaces": {"number": f"{gtin13[0]} {gtin13[1:7]} {gtin13[7:]}", "parser": "gtin13"},
        "dashes": {"number": f"{gtin13[:3]}-{gtin13[3:7]}-{gtin13[7:12]}-{gtin13[12]}", "parser": "gtin13"},
        "gtin14": {"number": "0" + gtin13, "parser": "gtin14"},
        "exact": {"number": gtin13, "parser": "gtin13"},
    }


class _Pools:
    """Letzshop's variants of the merchant's listings, built once per seed."""

    def __init__(self, rng: random.Random, ids: _Ids) -> None:
        self.matched: list[dict] = []
        self.duplicate_gtin: list[dict] = []
        self.unmatched: dict[str, list[dict]] = {kind: [] for kind in dict.fromkeys(_UNMATCHED_CYCLE)}
        shared = duplicate_gtins()
        rows = catalog_texts()
        plain = [i for i, (product, _) in enumerate(rows) if product["gtin_type"] == "gtin13"]
        plain = [i for i in plain if rows[i][0]["gtin"] not in shared and not rows[i][0]["gtin"].startswith("0")]
        rng.shuffle(plain)
        # A few listings of each written form, the rest exact: every form shows up in any seed.
        forms = {
            i: form
            for form, chunk in zip(("spaces", "dashes", "gtin14"), (plain[0:3], plain[3:6], plain[6:9]), strict=True)
            for i in chunk
        }
        for index, (product, text) in enumerate(rows):
            gtin, kind = product["gtin"], product["gtin_type"]
            if kind == "gtin13" and gtin.startswith("0"):
                trade_id = {"number": gtin[1:], "parser": "gtin12"}
            elif kind == "gtin13":
                trade_id = _written_forms(gtin)[forms.get(index, "exact")]
            else:
                trade_id = {"number": gtin, "parser": kind}
            # Some merchants leave Letzshop's SKU empty; matching goes by barcode anyway.
            sku = product["sku"] if rng.random() < 0.9 else None
            variant = _variant(ids, rng, text, sku=sku, price=float(product["price"]), trade_id=trade_id)
            (self.duplicate_gtin if gtin in shared else self.matched).append(variant)

        def unlisted(item: tuple[str, str | None, str | None, str | None], trade_id: dict | None) -> dict:
            en, fr, de, brand = item
            text = ProductText(en=en, fr=fr, de=de, brand=brand)
            price = round(rng.randint(290, 7990) / 100, 2)
            return _variant(ids, rng, text, sku=f"X-{rng.randint(1000, 9999)}", price=price, trade_id=trade_id)

        for item in _UNLISTED_ITEMS[:7]:
            gtin = random_gtin13_outside_catalog(rng)
            self.unmatched["unknown"].append(unlisted(item, {"number": gtin, "parser": "gtin13"}))
        for item in _UNLISTED_ITEMS[7:]:
            self.unmatched["no_trade_id"].append(unlisted(item, None))
        # A typo in the last digit of a catalog barcode: it looks like a match but fails the check.
        thirteen_digits = [v for v in self.matched if v["tradeId"]["parser"] in ("gtin13", "gtin14")]
        for variant in rng.sample(thirteen_digits, 3):
            digits = "".join(ch for ch in variant["tradeId"]["number"] if ch.isdigit())[-13:]
            wrong = str((int(gs1_check_digit(digits[:-1])) + rng.randint(1, 9)) % 10)
            typo = dict(variant, id=ids.opaque(12), tradeId={"number": digits[:-1] + wrong, "parser": "gtin13"})
            self.unmatched["bad_check_digit"].append(typo)
        for item in _UNLISTED_BOOKS:
            body = "978" + "".join(rng.choice("0123456789") for _ in range(9))
            self.unmatched["unknown_isbn"].append(
                unlisted(item, {"number": body + gs1_check_digit(body), "parser": "isbn13"})
            )


def _unit_groups(rng: random.Random, count: int, max_variants: int) -> list[int]:
    """How ``count`` units spread over variants, e.g. [2, 1]: two units of one variant, one of another."""
    groups = [1] * count
    if count >= 2 and rng.random() < 0.3:
        repeated = 2 if count == 2 or rng.random() < 0.75 else 3
        groups = [repeated] + [1] * (count - repeated)
    if len(groups) > max_variants:
        groups = [groups[0] + sum(groups[max_variants:])] + groups[1:max_variants]
    return groups


def seed_shipments(
    n: int, seed: int | str, unmatched_ratio: float = 0.3, units_per_shipment: int | None = None
) -> list[Shipment]:
    """``n`` shipments, the same for the same arguments.

    With ``units_per_shipment`` (what the benchmarks use) every shipment has exactly that many
    units, all shipments are unconfirmed and no order is split; otherwise a shipment has 1 to 4
    units, about 85% are unconfirmed and the rest confirmed, and a few orders span two shipments
    (their ``total`` covers the units of both).
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if not 0 <= unmatched_ratio <= 1:
        raise ValueError("unmatched_ratio must be between 0 and 1")
    if units_per_shipment is not None and units_per_shipment < 1:
        raise ValueError("units_per_shipment must be >= 1")
    rng = random.Random(f"letzshop-sandbox:{seed}")
    ids = _Ids(rng)
    pools = _Pools(rng, ids)
    unmatched_indexes = set(rng.sample(range(n), round(n * unmatched_ratio)))
    benchmark = units_per_shipment is not None
    unmatched_seen = 0
    moment = _LATEST_ORDER_AT - timedelta(minutes=37 * n)
    shipments: list[Shipment] = []

    for index in range(n):
        moment += timedelta(minutes=rng.randint(1, 73))
        count = units_per_shipment or rng.choices((1, 2, 3, 4), weights=(40, 30, 20, 10))[0]
        # Room for one unmatched and one duplicate-GTIN variant besides the matched ones.
        groups = _unit_groups(rng, count, len(pools.matched))
        variants: list[dict] = []
        if index in unmatched_indexes:
            kind = _UNMATCHED_CYCLE[unmatched_seen % len(_UNMATCHED_CYCLE)]
            unmatched_seen += 1
            variants.append(rng.choice(pools.unmatched[kind]))
            if len(groups) > 1 and rng.random() < 0.25:
                variants.append(rng.choice(pools.duplicate_gtin))
        variants += rng.sample(pools.matched, len(groups) - len(variants))
        rng.shuffle(variants)

        state = "unconfirmed" if benchmark or rng.random() < 0.85 else "confirmed"
        units = []
        declined = {id(rng.choice(variants))} if state == "confirmed" and rng.random() < 0.2 else set()
        for variant, size in zip(variants, groups, strict=True):
            unit_state = "unconfirmed"
            if state == "confirmed":
                unit_state = "confirmed_unavailable" if id(variant) in declined else "confirmed_available"
            units += [{"id": ids.opaque(10), "state": unit_state, "variant": variant} for _ in range(size)]
        amount = round(sum(unit["variant"]["price"] for unit in units), 2)

        previous = shipments[-1] if shipments else None
        split = not benchmark and previous is not None and not previous.get("_split") and rng.random() < 0.04
        if split and previous is not None:
            order = previous["order"]
            order["total"] = round(order["total"] + amount, 2)
        else:
            order = _order(rng, ids, moment, amount)

        tracking = None
        if rng.random() < (0.8 if state == "confirmed" else 0.5):
            provider = _weighted(rng, _PROVIDERS)
            code = None
            if state == "confirmed" and rng.random() < 0.6:
                code = ("GR" if provider.lower() == "greco" else "") + ids.digits("", 12)
            tracking = {"code": code, "provider": provider}

        shipment = {
            "id": ids.opaque(14),
            "number": ids.digits("H", 11),
            "state": state,
            "order": order,
            "inventoryUnits": units,
            "tracking": tracking,
        }
        if split:
            shipment["_split"] = True
        shipments.append(shipment)

    for shipment in shipments:
        shipment.pop("_split", None)
    return shipments


def _order(rng: random.Random, ids: _Ids, moment: datetime, total: float) -> dict:
    locale = _weighted(rng, _LOCALES)
    country = _weighted(rng, _COUNTRIES)
    first_name, last_name = rng.choice(_FIRST_NAMES[country]), rng.choice(_LAST_NAMES[country])
    ship_address = _address(rng, country, first_name, last_name, with_organisation=rng.random() < 0.15)
    if rng.random() < 0.8:
        bill_address = dict(ship_address, country=dict(ship_address["country"]))
    else:
        bill_address = _address(rng, country, first_name, last_name, with_organisation=rng.random() < 0.5)
    return {
        "id": ids.opaque(12),
        "number": ids.digits("R", 9),
        "email": f"{_ascii(first_name)}.{_ascii(last_name)}{rng.randint(1, 99)}@example.{country.lower()}",
        "total": total,
        "completedAt": _completed_at(rng, moment),
        "locale": locale,
        "shipAddress": ship_address,
        "billAddress": bill_address,
    }
