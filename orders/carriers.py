"""Which carrier ships a Letzshop shipment (guide: "Carrier Detection").

Letzshop names the carrier in ``tracking.provider`` when it has one; otherwise the shipment
number's shape tells. The number patterns are inferred from the numbers Letzshop shows (Greco:
``H`` + 11 digits, e.g. H74683403433; Colissimo: 2 letters/digits + 11 digits, or the
international ``CB123456789FR`` form). Edit this table, not the callers, if one turns out wrong.
"""

import re

GRECO, COLISSIMO, XPRESSLOGISTICS = "greco", "colissimo", "xpresslogistics"

# provider words → carrier code (lower-case substring match)
PROVIDER_WORDS = (
    ("greco", GRECO),
    ("colissimo", COLISSIMO),
    ("la poste", COLISSIMO),
    ("xpresslogistic", XPRESSLOGISTICS),
    ("xpress logistic", XPRESSLOGISTICS),
    ("xpress-logistic", XPRESSLOGISTICS),
)

SHIPMENT_NUMBER_PATTERNS = (
    (re.compile(r"^H\d{11}$"), GRECO),
    (re.compile(r"^[0-9A-Z]{2}\d{11}$"), COLISSIMO),
    (re.compile(r"^C[A-Z]\d{9}FR$"), COLISSIMO),
    (re.compile(r"^XL\d{8,12}$"), XPRESSLOGISTICS),
)


def carrier_detect(*, provider: str | None, shipment_number: str | None) -> str:
    """A carrier code: greco, colissimo, xpresslogistics, another provider as given, or ""."""
    given = (provider or "").strip()
    lowered = given.lower()
    for word, code in PROVIDER_WORDS:
        if word in lowered:
            return code
    if given:
        return given[:64]
    number = (shipment_number or "").strip().upper()
    for pattern, code in SHIPMENT_NUMBER_PATTERNS:
        if pattern.match(number):
            return code
    return ""


# Offered as you type a carrier (Mark shipped, Set tracking); any other code may be entered.
CARRIER_SUGGESTIONS = (GRECO, COLISSIMO, XPRESSLOGISTICS, "post_lu", "dhl", "ups", "fedex", "dpd", "gls")
