import pytest

from orders.carriers import carrier_detect

pytestmark = pytest.mark.django_db(databases=[])


@pytest.mark.parametrize(
    "provider, number, code",
    [
        ("Greco", "", "greco"),
        ("greco-lu", None, "greco"),
        ("Colissimo", "", "colissimo"),
        ("La Poste Colissimo", "", "colissimo"),
        ("XpressLogistics", "", "xpresslogistics"),
        ("DHL", "", "dhl"),
        ("Post Luxembourg", "", "post_lu"),
        ("post_lu", "", "post_lu"),
        ("Groups Delivery", "", "groups-delivery"),  # "ups" only as a word
        ("Swiss Post", "", "swiss-post"),  # others: the name as a code
        (None, "H74683403433", "greco"),
        ("", "6A12345678901", "colissimo"),
        (None, "CB123456789FR", "colissimo"),
        (None, "unknown", ""),
    ],
)
def test_carrier_detection(provider, number, code):
    assert carrier_detect(provider=provider, shipment_number=number) == code
