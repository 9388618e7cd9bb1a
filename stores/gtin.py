"""GTIN normalisation: how a barcode from Letzshop is compared with the store's catalog.

Letzshop sends ``variant.tradeId.number`` as typed by whoever listed the product: with spaces or
dashes, as GTIN-8, -12 (UPC), -13 (EAN, ISBN-13) or -14. All of these are compared as GTIN-14
(left-padded with zeros) once the GS1 check digit is verified. An ISBN-10 is turned into its
ISBN-13 (978 prefix), which is the GTIN-13 printed on the book.
"""

import functools
from dataclasses import dataclass

from config.pickling import pickled_as_values

GTIN_LENGTHS = (8, 12, 13, 14)


@pickled_as_values  # the import's fetch process sends thousands
@dataclass(frozen=True)
class Gtin:
    raw: str
    digits: str  # the digits of raw (for ISBN-10, its ISBN-13)
    gtin14: str  # the comparable form, "" when invalid
    problem: str  # "" when valid, else why not (for the exception's notes)

    @property
    def is_valid(self) -> bool:
        return bool(self.gtin14)


def gs1_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit of ``body`` (all digits but the last)."""
    # From the right: weights 3, 1, 3, 1, …
    backwards = body[::-1]
    total = 3 * sum(map(int, backwards[0::2])) + sum(map(int, backwards[1::2]))
    return (10 - total % 10) % 10


def _isbn10_to_isbn13(isbn10: str) -> str | None:
    if len(isbn10) != 10 or not isbn10[:9].isdigit() or not (isbn10[9].isdigit() or isbn10[9] in "xX"):
        return None
    total = sum((10 - i) * int(c) for i, c in enumerate(isbn10[:9]))
    check = 10 if isbn10[9] in "xX" else int(isbn10[9])
    if (total + check) % 11 != 0:
        return None
    body = "978" + isbn10[:9]
    return body + str(gs1_check_digit(body))


# Longer than any barcode even with spaces and dashes: refused before the cache sees it, so that
# the cache never keeps arbitrary input (docs/security.md).
MAX_RAW_LENGTH = 64


def gtin_normalize(raw: str | None, parser: str | None = None) -> Gtin:
    """Normalise a barcode; never raises. ``parser`` is Letzshop's TradeIdParser, if given."""
    if raw is not None and not isinstance(raw, str):
        raw = str(raw)
    if raw and len(raw) > MAX_RAW_LENGTH:
        return Gtin(raw=raw[:MAX_RAW_LENGTH], digits="", gtin14="", problem=f"longer than {MAX_RAW_LENGTH} characters")
    if parser is not None and (not isinstance(parser, str) or len(parser) > MAX_RAW_LENGTH):
        parser = None
    return _gtin_normalize(raw, parser)


@functools.lru_cache(maxsize=65536)
def _gtin_normalize(raw: str | None, parser: str | None = None) -> Gtin:
    """Cached: an import sees the same catalog barcodes over and over. Its keys are bounded."""
    text = (raw or "").strip()
    if not text:
        return Gtin(raw="", digits="", gtin14="", problem="missing trade id")
    # The common case, plain digits, skips the character-by-character walk.
    compact = text if text.isascii() and text.isdigit() else "".join(ch for ch in text if ch.isalnum())
    if not compact.isascii():  # "²" or "٣" count as digits for Python, not for GS1
        return Gtin(raw=text, digits="", gtin14="", problem="not only digits")
    if len(compact) == 10:
        isbn13 = _isbn10_to_isbn13(compact)
        if isbn13 is not None:
            compact = isbn13
        elif parser == "isbn10" or compact[-1] in "xX":
            return Gtin(raw=text, digits=compact, gtin14="", problem="invalid ISBN-10")
    digits = compact if compact.isdigit() else "".join(ch for ch in compact if ch.isdigit())
    if digits != compact:
        return Gtin(raw=text, digits=digits, gtin14="", problem="not only digits")
    if len(digits) not in GTIN_LENGTHS:
        return Gtin(raw=text, digits=digits, gtin14="", problem=f"{len(digits)} digits (expected 8, 12, 13 or 14)")
    if not digits.strip("0"):  # passes the check digit, but is no product's barcode
        return Gtin(raw=text, digits=digits, gtin14="", problem="all zeros")
    if gs1_check_digit(digits[:-1]) != int(digits[-1]):
        return Gtin(raw=text, digits=digits, gtin14="", problem="invalid check digit")
    return Gtin(raw=text, digits=digits, gtin14=digits.zfill(14), problem="")


def gtin_type_of(digits: str) -> str:
    """The kind of a valid barcode, in Letzshop's TradeIdParser words."""
    if len(digits) == 13 and digits[:3] in ("978", "979"):
        return "isbn13"
    return {8: "gtin8", 12: "gtin12", 13: "gtin13", 14: "gtin14"}.get(len(digits), "")
