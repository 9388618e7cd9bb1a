"""Values that can never work are refused; the GTIN cache keeps only bounded keys (docs/security.md)."""

import pytest

from stores.gtin import _gtin_normalize, gtin_normalize

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("gtin", ["0000000000000", "00000000", "000-0000-00000"])
def test_an_all_zero_gtin_is_refused_naming_the_field(store_api, gtin):
    response = store_api.post("/api/v1/store/products", {"name": "Zero", "sku": "Z-1", "gtin": gtin}, format="json")
    assert response.status_code == 400
    assert "gtin" in response.json() and "zeros" in response.json()["gtin"][0]


def test_the_gtin_cache_never_keeps_a_long_input():
    _gtin_normalize.cache_clear()
    huge = "4" * (2 * 1024 * 1024)
    for index in range(30):
        assert not gtin_normalize(huge + str(index)).is_valid
    assert _gtin_normalize.cache_info().currsize == 0
    assert gtin_normalize("4006381333931").is_valid and _gtin_normalize.cache_info().currsize == 1
