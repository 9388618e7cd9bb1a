"""Loyalty in the Django admin: its lists stay cheap."""

import pytest

from loyalty.services import points_adjust, program_update
from stores.tests.factories import StoreFactory

pytestmark = [pytest.mark.django_db, pytest.mark.loyalty]


def test_the_loyalty_lists_cost_a_constant_number_of_queries(client, admin_user, django_assert_max_num_queries):
    for _ in range(10):
        store = StoreFactory()
        program_update(merchant=store.merchant, data={"active": True})
        points_adjust(merchant=store.merchant, email="a@example.lu", points=3, reason="Gift")
    client.force_login(admin_user)
    for url in ("/admin/loyalty/loyaltyprogram/", "/admin/loyalty/loyaltymember/", "/admin/loyalty/pointtransaction/"):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200
