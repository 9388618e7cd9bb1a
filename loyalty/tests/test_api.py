"""The store's loyalty API and the admin: settings, member search, adjustments by hand."""

from decimal import Decimal

import pytest

from config.tests.clients import api_client_for
from loyalty.models import LoyaltyMember, PointTransaction
from loyalty.services import points_adjust, program_update
from orders.tests.factories import OrderFactory

pytestmark = [pytest.mark.django_db, pytest.mark.loyalty]


def test_owners_and_managers_set_the_program_staff_read_it(store, store_api, staff_member):
    assert store_api.get("/api/v1/store/loyalty/program").json() == {"active": False, "points_per_eur": "1.00"}
    response = store_api.put("/api/v1/store/loyalty/program", {"active": True, "points_per_eur": "2.5"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"active": True, "points_per_eur": "2.50"}
    staff = api_client_for(staff_member)
    assert staff.get("/api/v1/store/loyalty/program").json()["active"] is True
    assert staff.put("/api/v1/store/loyalty/program", {"active": False}, format="json").status_code == 403


@pytest.mark.parametrize("value", ["-1", "1e9", "abc", "1.234"])
def test_a_bad_rate_answers_400_naming_the_field(store_api, value):
    response = store_api.put("/api/v1/store/loyalty/program", {"points_per_eur": value}, format="json")
    assert response.status_code == 400
    assert "points_per_eur" in response.json()


def test_member_search_by_email_with_history_and_only_the_merchants_members(store, store_api, other_store):
    program_update(merchant=store.merchant, data={"active": True})
    program_update(merchant=other_store.merchant, data={"active": True})
    points_adjust(merchant=store.merchant, email="Anna@Example.lu", points=40, reason="Welcome gift")
    points_adjust(merchant=store.merchant, email="anna@example.lu", points=-15, reason="Voucher")
    points_adjust(merchant=store.merchant, email="ben@example.lu", points=5, reason="Welcome gift")
    points_adjust(merchant=other_store.merchant, email="anna@example.lu", points=99, reason="Elsewhere")
    body = store_api.get("/api/v1/store/loyalty/members?email=anna").json()
    assert body["count"] == 1
    member = body["results"][0]
    assert (member["email"], member["points_balance"]) == ("anna@example.lu", 25)
    assert [(t["points"], t["balance_after"], t["note"]) for t in member["transactions"]] == [
        (-15, 25, "Voucher"),
        (40, 40, "Welcome gift"),
    ]
    assert store_api.get("/api/v1/store/loyalty/members").json()["count"] == 2


def test_member_list_costs_a_constant_number_of_queries(store, store_api, django_assert_max_num_queries):
    program_update(merchant=store.merchant, data={"active": True})
    for n in range(15):
        points_adjust(merchant=store.merchant, email=f"c{n}@example.lu", points=n + 1, reason="Gift")
    with django_assert_max_num_queries(12):
        assert store_api.get("/api/v1/store/loyalty/members").status_code == 200


def test_adjustments_by_owners_and_managers_with_a_reason(store, store_api, staff_member):
    program_update(merchant=store.merchant, data={"active": True})
    url = "/api/v1/store/loyalty/members/adjust"
    ok = store_api.post(url, {"email": "cara@example.lu", "points": 10, "reason": "Apology"}, format="json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["balance_after"] == 10 and ok.json()["reason"] == "adjustment"
    no_reason = store_api.post(url, {"email": "cara@example.lu", "points": 10, "reason": " "}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    negative = store_api.post(url, {"email": "cara@example.lu", "points": -11, "reason": "Oops"}, format="json")
    assert negative.status_code == 400 and "points" in negative.json()
    staff = api_client_for(staff_member)
    assert staff.post(url, {"email": "cara@example.lu", "points": 1, "reason": "x"}, format="json").status_code == 403
    assert LoyaltyMember.objects.get(email="cara@example.lu").points_balance == 10
    assert PointTransaction.objects.count() == 1


def test_the_points_of_an_order_are_read_by_its_store_only(store, store_api, other_store):
    from loyalty.services import points_earn_for_units
    from orders.tests.factories import OrderItemFactory

    program_update(merchant=store.merchant, data={"active": True, "points_per_eur": Decimal("2")})
    order = OrderFactory(store=store)
    OrderItemFactory(order=order, unit_price=Decimal("10.40"), inventory_unit_ids=["u1", "u2"], quantity=2)
    points_earn_for_units(order_id=order.pk, unit_ids=["u1", "u2"])
    body = store_api.get(f"/api/v1/store/loyalty/transactions?order_id={order.pk}").json()
    assert [row["points"] for row in body["results"]] == [41]  # floor(20.80 × 2)
    foreign = api_client_for(None)
    assert foreign.get(f"/api/v1/store/loyalty/transactions?order_id={order.pk}").status_code == 401
    assert store_api.get("/api/v1/store/loyalty/transactions?order_id=abc").status_code == 400


def test_the_admin_adjusts_a_balance_with_a_reason(client, admin_user, store):
    program_update(merchant=store.merchant, data={"active": True})
    tx = points_adjust(merchant=store.merchant, email="dan@example.lu", points=3, reason="Gift")
    client.force_login(admin_user)
    page = client.get(f"/admin/loyalty/loyaltymember/{tx.member_id}/change/")
    assert page.status_code == 200 and "Adjust" in page.content.decode()
    client.post(f"/admin/loyalty/loyaltymember/{tx.member_id}/adjust/", {"points": "7", "reason": "Goodwill"})
    client.post(f"/admin/loyalty/loyaltymember/{tx.member_id}/adjust/", {"points": "-50", "reason": "Too much"})
    member = LoyaltyMember.objects.get(pk=tx.member_id)
    assert member.points_balance == 10
    assert list(member.transactions.values_list("note", flat=True)) == ["Goodwill", "Gift"]
    for url in ("/admin/loyalty/loyaltyprogram/", "/admin/loyalty/loyaltymember/", "/admin/loyalty/pointtransaction/"):
        assert client.get(url).status_code == 200
