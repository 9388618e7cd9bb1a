"""Times sent by clients: any ISO 8601 offset is read as UTC; one out of range is 400, never a
database error (PostgreSQL refuses offsets beyond ±15:59; docs/security.md)."""

from urllib.parse import quote

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/store/letzshop/logs", "/api/v1/store/letzshop/orders"])
def test_an_offset_beyond_what_the_database_keeps_is_read_as_utc(store_api, url):
    response = store_api.get(f"{url}?date_from={quote('1515-07-11T16:13:52-20:35')}")
    assert response.status_code == 200, response.content


def test_a_time_that_utc_cannot_hold_is_400_naming_the_parameter(admin_api):
    response = admin_api.get(f"/api/v1/admin/orders?date_to={quote('0001-01-01T00:00:00+05:00')}")
    assert response.status_code == 400 and "date_to" in response.json()
