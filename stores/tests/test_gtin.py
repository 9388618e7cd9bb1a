import pytest

from stores.gtin import gtin_normalize, gtin_type_of

pytestmark = pytest.mark.django_db(databases=[])


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("4006381333931", "04006381333931"),  # EAN-13
        ("400-6381 333931", "04006381333931"),  # typed with dashes and spaces
        ("04006381333931", "04006381333931"),  # the same as GTIN-14
        ("96385074", "00000096385074"),  # GTIN-8
        ("036000291452", "00036000291452"),  # UPC-A (GTIN-12)
        ("9783161484100", "09783161484100"),  # ISBN-13
        ("316148410X", "09783161484100"),  # ISBN-10 → its ISBN-13
    ],
)
def test_valid_gtins_compare_as_gtin14(raw, expected):
    assert gtin_normalize(raw).gtin14 == expected


@pytest.mark.parametrize(
    "raw, problem",
    [
        ("4006381333932", "invalid check digit"),
        ("", "missing trade id"),
        (None, "missing trade id"),
        ("12345", "5 digits (expected 8, 12, 13 or 14)"),
        ("40063813339AB", "not only digits"),
        ("3161484101", "10 digits (expected 8, 12, 13 or 14)"),
        ("316148410Y", "not only digits"),
        ("4006381333²31", "not only digits"),  # a digit for Python, not a barcode digit
        ("٤٠٠٦٣٨١٣٣٣٩٣١", "not only digits"),
        ("316148410²", "not only digits"),
    ],
)
def test_invalid_gtins_say_why(raw, problem):
    gtin = gtin_normalize(raw)
    assert not gtin.is_valid
    assert gtin.gtin14 == ""
    assert gtin.problem == problem


def test_gtin_type():
    assert gtin_type_of("9783161484100") == "isbn13"
    assert gtin_type_of("4006381333931") == "gtin13"
    assert gtin_type_of("96385074") == "gtin8"


def test_a_bad_isbn10_is_named_when_letzshop_says_it_is_one():
    assert gtin_normalize("3161484101", "isbn10").problem == "invalid ISBN-10"
