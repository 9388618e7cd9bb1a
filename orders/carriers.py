"""Which carrier ships a Letzshop shipment (guide: "Carrier Detection"), and the one way a carrier
is named everywhere: a code (``dhl``, ``post_lu``) stored on orders and sent to Letzshop, and a
name (``DHL``, ``Post Luxembourg``) shown to people, both in Settings > Shipping.

Letzshop names the carrier in ``tracking.provider`` when it has one; otherwise the shipment
number's shape tells. The number patterns are inferred from the numbers Letzshop shows (Greco:
``H`` + 11 digits, e.g. H74683403433; Colissimo: 2 letters/digits + 11 digits, or the
international ``CB123456789FR`` form). Edit these tables, not the callers, if one turns out wrong.
"""

import functools
import re

from django.utils.text import slugify

GRECO, COLISSIMO, XPRESSLOGISTICS = "greco", "colissimo", "xpresslogistics"

# The carriers met in Luxembourg: code → name (seeded into Settings > Shipping).
KNOWN_CARRIERS = {
    GRECO: "Greco",
    COLISSIMO: "Colissimo",
    XPRESSLOGISTICS: "XpressLogistics",
    "post_lu": "Post Luxembourg",
    "dhl": "DHL",
    "ups": "UPS",
    "fedex": "FedEx",
    "dpd": "DPD",
    "gls": "GLS",
}

# How a provider, or a person typing a carrier, may write each one → its code. Whole words, so
# that "ups" is not found inside another word.
PROVIDER_PATTERNS = tuple(
    (re.compile(pattern, re.IGNORECASE), code)
    for pattern, code in (
        (r"greco", GRECO),
        (r"colissimo|\bla poste\b", COLISSIMO),
        (r"xpress[\s_-]?logistic", XPRESSLOGISTICS),
        (r"\bpost[\s_-]?(lu|luxembourg)\b|\bpost\.lu\b", "post_lu"),
        (r"\bdhl\b", "dhl"),
        (r"\bups\b", "ups"),
        (r"\bfed[\s_-]?ex\b", "fedex"),
        (r"\bdpd\b", "dpd"),
        (r"\bgls\b", "gls"),
    )
)

SHIPMENT_NUMBER_PATTERNS = (
    (re.compile(r"^H\d{11}$"), GRECO),
    (re.compile(r"^[0-9A-Z]{2}\d{11}$"), COLISSIMO),
    (re.compile(r"^C[A-Z]\d{9}FR$"), COLISSIMO),
    (re.compile(r"^XL\d{8,12}$"), XPRESSLOGISTICS),
)


@functools.lru_cache(maxsize=1024)
def carrier_code(text: str | None) -> str:
    """The code of a carrier as written by a provider or a person: a known carrier's code
    ("DHL Express" → ``dhl``), else the text as a code ("Swiss Post" → ``swiss-post``), else "".

    Cached: an import asks it for every shipment, and a store's shipments name a handful of
    providers (nine patterns and a slug each time were a fifth of the mapping's time)."""
    given = (text or "").strip()
    for pattern, code in PROVIDER_PATTERNS:
        if pattern.search(given):
            return code
    return slugify(given)[:64]


def carrier_detect(*, provider: str | None, shipment_number: str | None) -> str:
    """A carrier code: from the provider Letzshop names, else from the shipment number's shape,
    else ""."""
    code = carrier_code(provider)
    if code:
        return code
    number = (shipment_number or "").strip().upper()
    for pattern, code in SHIPMENT_NUMBER_PATTERNS:
        if pattern.match(number):
            return code
    return ""
