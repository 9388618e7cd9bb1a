"""The demo store's catalog: the products that the sandbox's "matched" inventory units point at.

The project's demo seeding loads ``demo_catalog()`` into the demo store, so a fresh demo imports
shipments whose GTINs mostly match and partly do not (those become product exceptions).
Everything here is deterministic: the same list on every run, on every machine.
"""

from __future__ import annotations

import random
from functools import cache
from typing import TypedDict


class CatalogProduct(TypedDict):
    name: str
    sku: str
    gtin: str
    gtin_type: str  # Letzshop's TradeIdParser words: gtin13, gtin8, isbn13
    price: str  # two decimals, as a string so that it loads into a DecimalField unchanged


class ProductText(TypedDict):
    en: str
    fr: str | None
    de: str | None
    brand: str | None  # None: Letzshop shows the brand as BrandUnknown


# (en, fr, de, brand, price). A missing translation (None) is common on Letzshop.
_PRODUCTS: tuple[tuple[str, str | None, str | None, str | None, str], ...] = (
    (
        "Cremant de Luxembourg Brut 75cl",
        "Crémant de Luxembourg Brut 75cl",
        "Crémant de Luxembourg Brut 75cl",
        "Bernard-Massard",
        "14.90",
    ),
    (
        "Riesling Grand Premier Cru 75cl",
        "Riesling Grand Premier Cru 75cl",
        "Riesling Grand Premier Cru 75cl",
        "Domaine Alice Hartmann",
        "21.50",
    ),
    ("Pinot Gris Wormeldange 75cl", "Pinot Gris Wormeldange 75cl", None, "Caves Poll-Fabaire", "12.80"),
    ("Organic Honey 500g", "Miel bio 500g", "Bio-Honig 500g", "Miel du Luxembourg", "9.50"),
    ("Quetsch Jam 320g", "Confiture de quetsches 320g", "Zwetschgenmarmelade 320g", "Ferme Kass", "5.90"),
    ("Moselle Mustard 200g", "Moutarde de la Moselle 200g", "Moselsenf 200g", None, "3.45"),
    ("Dark Chocolate 72% 100g", "Chocolat noir 72% 100g", "Zartbitterschokolade 72% 100g", "Chocolate House", "4.20"),
    ("Praline Box 250g", "Boîte de pralines 250g", "Pralinenschachtel 250g", "Oberweis", "24.00"),
    ("Ground Coffee Espresso 250g", "Café moulu espresso 250g", "Espresso gemahlen 250g", "Golden Bean", "7.95"),
    ("Herbal Tea Linden 20 bags", "Tisane tilleul 20 sachets", "Lindenblütentee 20 Beutel", None, "3.80"),
    ("Ceramic Mug Red Lion", "Tasse en céramique Lion rouge", "Keramiktasse Roter Löwe", "Villeroy & Boch", "16.00"),
    ("Linen Tea Towel", "Torchon en lin", "Leinen-Geschirrtuch", None, "11.50"),
    ("Wooden Cutting Board Oak", "Planche à découper en chêne", "Schneidebrett Eiche", "Atelier Bois", "34.90"),
    ("Beeswax Candle Set", "Bougies à la cire d'abeille", "Bienenwachskerzen-Set", None, "18.00"),
    ("Merino Wool Scarf Grey", "Écharpe en laine mérinos grise", "Merinowollschal Grau", "Laine & Co", "49.00"),
    (
        "Cotton T-Shirt Luxembourg M",
        "T-shirt coton Luxembourg M",
        "Baumwoll-T-Shirt Luxemburg M",
        "Lux Threads",
        "22.00",
    ),
    (
        "Cotton T-Shirt Luxembourg L",
        "T-shirt coton Luxembourg L",
        "Baumwoll-T-Shirt Luxemburg L",
        "Lux Threads",
        "22.00",
    ),
    ("Leather Wallet Brown", "Portefeuille en cuir marron", "Lederbrieftasche Braun", "Maroquinerie Schmit", "59.00"),
    ("Canvas Tote Bag", "Sac cabas en toile", "Einkaufstasche aus Canvas", None, "12.00"),
    ("Kids Wooden Puzzle", "Puzzle en bois enfant", "Holzpuzzle für Kinder", "Jouets Kirchberg", "19.90"),
    ("Plush Red Lion 30cm", "Peluche Lion rouge 30cm", "Plüschlöwe Rot 30cm", "Jouets Kirchberg", "27.50"),
    ("Board Game Schueberfouer", "Jeu de société Schueberfouer", "Brettspiel Schueberfouer", None, "39.00"),
    ("Natural Soap Lavender", "Savon naturel lavande", "Naturseife Lavendel", "Savonnerie Mullerthal", "6.50"),
    ("Shampoo Bar Nettle", "Shampoing solide ortie", "Festes Shampoo Brennnessel", "Savonnerie Mullerthal", "9.90"),
    ("Hand Cream 75ml", "Crème mains 75ml", "Handcreme 75ml", None, "8.40"),
    ("Bicycle Bell Chrome", "Sonnette de vélo chromée", None, "Velo Lux", "7.00"),
    ("LED Bike Light Set", "Éclairage vélo LED", "LED-Fahrradlicht-Set", "Velo Lux", "29.90"),
    ("Hiking Socks 39-42", "Chaussettes de randonnée 39-42", "Wandersocken 39-42", "Mullerthal Trail", "14.00"),
    ("Reusable Water Bottle 750ml", "Gourde réutilisable 750ml", "Trinkflasche 750ml", None, "21.00"),
    ("Desk Lamp Brass", "Lampe de bureau laiton", "Schreibtischlampe Messing", "Lumière Grund", "89.00"),
    ("Scented Candle Fir 200g", "Bougie parfumée sapin 200g", "Duftkerze Tanne 200g", None, "15.50"),
    ("Notebook A5 Dotted", "Carnet A5 pointillé", "Notizbuch A5 gepunktet", "Papeterie Hamm", "8.90"),
    ("Fountain Pen Blue", "Stylo plume bleu", "Füllfederhalter Blau", "Papeterie Hamm", "32.00"),
    (
        "Luxembourg City Poster 50x70",
        "Affiche Ville de Luxembourg 50x70",
        "Poster Stadt Luxemburg 50x70",
        None,
        "25.00",
    ),
    (
        "Smoked Ham Ardennes 200g",
        "Jambon fumé d'Ardenne 200g",
        "Ardenner Räucherschinken 200g",
        "Boucherie Meyer",
        "11.20",
    ),
    (
        "Hot Sauce Habanero 150ml",
        "Sauce piquante habanero 150ml",
        "Scharfe Soße Habanero 150ml",
        "Bayou Kitchen",
        "6.90",
    ),
)

# Books carry ISBN-13s (TradeIdParser isbn13); Letzshop sells them like any other product.
_BOOKS: tuple[tuple[str, str | None, str | None, str | None, str, str], ...] = (
    (
        "Luxembourg Cookbook",
        "Le livre de cuisine luxembourgeois",
        "Das luxemburgische Kochbuch",
        "Éditions Guy Binsfeld",
        "29.00",
        "9782919878123",
    ),
    (
        "Legends of the Moselle",
        "Légendes de la Moselle",
        "Sagen der Mosel",
        "Éditions Saint-Paul",
        "18.50",
        "9789995903459",
    ),
)

# The one GTIN-8 product (small packs carry EAN-8 barcodes).
_GTIN8_PRODUCT = ("Chewing Gum Mint", "Chewing-gum menthe", "Kaugummi Minze", None, "1.20")

# A barcode shared by two products of the catalog: the same honey in two packagings, listed twice.
_DUPLICATE_GTIN_PRODUCT = (
    "Organic Honey 500g Gift Box",
    "Miel bio 500g coffret",
    "Bio-Honig 500g Geschenkbox",
    "Miel du Luxembourg",
    "12.50",
)
_DUPLICATE_OF_SKU = "DEMO-004"

# The hot sauce is imported from the US: its GTIN-13 starts with 0, so Letzshop may send it as
# its GTIN-12 (UPC) form.
_UPC_SKU = "DEMO-036"


def gs1_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of ``body`` (the barcode without its last digit)."""
    weighted = sum(int(digit) * (1 if position % 2 else 3) for position, digit in enumerate(reversed(body)))
    return str(-weighted % 10)


def is_valid_gtin(digits: str) -> bool:
    return digits.isdigit() and len(digits) in (8, 12, 13, 14) and gs1_check_digit(digits[:-1]) == digits[-1]


def gtin14(raw: str | None) -> str | None:
    """The comparable GTIN-14 form of a barcode as Letzshop may write it, or None if it is invalid."""
    digits = "".join(ch for ch in (raw or "") if ch not in " -")
    return digits.zfill(14) if is_valid_gtin(digits) else None


def _gtin13(rng: random.Random, prefix: str) -> str:
    body = prefix + "".join(rng.choice("0123456789") for _ in range(12 - len(prefix)))
    return body + gs1_check_digit(body)


@cache
def _catalog() -> tuple[tuple[CatalogProduct, ProductText], ...]:
    # A fixed generator: the catalog must not change between runs or machines.
    rng = random.Random(20251201)
    used: set[str] = {book[5] for book in _BOOKS}
    rows: list[tuple[CatalogProduct, ProductText]] = []

    def add(text: tuple[str, str | None, str | None, str | None, str], gtin: str, gtin_type: str) -> None:
        en, fr, de, brand, price = text
        sku = f"DEMO-{len(rows) + 1:03d}"
        product = CatalogProduct(name=en, sku=sku, gtin=gtin, gtin_type=gtin_type, price=price)
        rows.append((product, ProductText(en=en, fr=fr, de=de, brand=brand)))

    for text in _PRODUCTS:
        sku = f"DEMO-{len(rows) + 1:03d}"
        # 54x is the GS1 prefix of Belgium and Luxembourg; 00 marks a US UPC written as GTIN-13.
        prefix = "00" if sku == _UPC_SKU else "54"
        gtin = _gtin13(rng, prefix)
        while gtin in used:
            gtin = _gtin13(rng, prefix)
        used.add(gtin)
        add(text, gtin, "gtin13")
    for en, fr, de, brand, price, isbn in _BOOKS:
        add((en, fr, de, brand, price), isbn, "isbn13")
    add(_GTIN8_PRODUCT, "96385074", "gtin8")
    shared = next(product["gtin"] for product, _ in rows if product["sku"] == _DUPLICATE_OF_SKU)
    add(_DUPLICATE_GTIN_PRODUCT, shared, "gtin13")
    return tuple(rows)


def demo_catalog() -> list[CatalogProduct]:
    """The demo store's products: ``{name, sku, gtin, gtin_type, price}``, always the same list."""
    return [CatalogProduct(**product) for product, _ in _catalog()]


def catalog_texts() -> list[tuple[CatalogProduct, ProductText]]:
    """Each product with the translated names and brand that Letzshop shows for it."""
    return [(CatalogProduct(**product), ProductText(**text)) for product, text in _catalog()]


def catalog_gtins() -> frozenset[str]:
    """The catalog's GTINs, as written in the catalog."""
    return frozenset(product["gtin"] for product, _ in _catalog())


def catalog_gtin14s() -> frozenset[str]:
    """The catalog's GTINs in their GTIN-14 form: what a barcode from Letzshop is compared with."""
    return frozenset(gtin14(product["gtin"]) or "" for product, _ in _catalog())


def duplicate_gtins() -> frozenset[str]:
    """GTINs that more than one catalog product carries."""
    seen: set[str] = set()
    twice: set[str] = set()
    for product, _ in _catalog():
        (twice if product["gtin"] in seen else seen).add(product["gtin"])
    return frozenset(twice)


def random_gtin13_outside_catalog(rng: random.Random) -> str:
    """A valid GTIN-13 that no catalog product carries (an item the store has not listed)."""
    known = catalog_gtin14s()
    while True:
        # 40-44 is Germany's GS1 prefix range: plausible for goods the demo store does not list.
        gtin = _gtin13(rng, str(rng.randint(40, 44)))
        if gtin.zfill(14) not in known:
            return gtin
