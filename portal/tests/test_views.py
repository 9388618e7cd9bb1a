"""The portal's pages on the server side: who may open what, which store a page is for, and
what each page costs. The data on the pages comes from the API (tested with the API)."""

import json

import pytest
from django.urls import reverse

from letzshop.tests.factories import LetzshopOrderFactory
from portal.views import SESSION_STORE
from stores.tests.factories import MembershipFactory, StoreFactory

pytestmark = pytest.mark.django_db

PAGES = ["portal:home", "portal:settings", "portal:orders", "portal:exceptions", "portal:queue", "portal:logs"]


def page_config(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="portal-config" type="application/json">') + len(
        '<script id="portal-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.parametrize("name", [*PAGES, "portal:stores"])
def test_every_page_asks_for_a_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login") + "?next=")


def test_an_order_page_asks_for_a_login(client, store):
    order = LetzshopOrderFactory(store=store)
    response = client.get(reverse("portal:order", args=[order.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_log_in_and_out(client, store_user):
    page = client.get(reverse("portal:login"))
    assert page.status_code == 200
    assert b'<label for="id_username">' in page.content and b'<label for="id_password">' in page.content

    wrong = client.post(reverse("portal:login"), {"username": store_user.username, "password": "nope"})
    assert wrong.status_code == 200
    assert b'role="alert"' in wrong.content

    response = client.post(reverse("portal:login"), {"username": store_user.username, "password": "secret-pass-123"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).status_code == 200

    assert client.post(reverse("portal:logout"))["Location"] == reverse("portal:login")
    assert client.get(reverse("portal:home")).status_code == 302


@pytest.mark.parametrize("name", PAGES)
def test_pages_render_with_constant_queries(client, store_user, store, name, django_assert_max_num_queries):
    # A page reads the session, the user and the user's stores, whatever the stores hold.
    for _ in range(3):
        LetzshopOrderFactory(store=store)
        MembershipFactory(user=store_user)
    client.force_login(store_user)
    session = client.session
    session[SESSION_STORE] = store.pk
    session.save()
    with django_assert_max_num_queries(3):
        response = client.get(reverse(name))
    assert response.status_code == 200
    config = page_config(response)
    assert config["storeId"] == store.pk
    assert config["labels"]["letzshop_state"]["unconfirmed"] == "Unconfirmed"


def test_the_order_page_renders_with_constant_queries(client, store_user, store, django_assert_max_num_queries):
    order = LetzshopOrderFactory(store=store)
    client.force_login(store_user)
    client.get(reverse("portal:order", args=[order.pk]))  # the session now names the store
    # (The fifth: the carriers of Settings > Shipping, for the tracking form and their names.)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("portal:order", args=[order.pk]))
    assert response.status_code == 200
    config = page_config(response)
    assert config["storeId"] == store.pk and config["orderId"] == order.pk


def test_another_stores_order_answers_404(client, store_user, other_store):
    order = LetzshopOrderFactory(store=other_store)
    client.force_login(store_user)
    assert client.get(reverse("portal:order", args=[order.pk])).status_code == 404
    assert client.get(reverse("portal:order", args=[order.pk + 1000])).status_code == 404
    assert client.get(reverse("portal:local-order", args=[order.local_order_id])).status_code == 404


def test_an_order_of_another_of_the_users_stores_opens_that_store(client, store_user, store):
    second = MembershipFactory(user=store_user, role="staff").store
    order = LetzshopOrderFactory(store=second)
    client.force_login(store_user)
    session = client.session
    session[SESSION_STORE] = store.pk
    session.save()

    response = client.get(reverse("portal:order", args=[order.pk]))

    assert response.status_code == 200
    assert page_config(response)["storeId"] == second.pk
    assert page_config(response)["role"] == "staff" and page_config(response)["canManage"] is False
    assert client.session[SESSION_STORE] == second.pk


def test_an_exceptions_local_order_leads_to_its_order_page(client, store_user, store):
    order = LetzshopOrderFactory(store=store)
    client.force_login(store_user)
    response = client.get(reverse("portal:local-order", args=[order.local_order_id]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:order", args=[order.pk])


def test_a_user_of_several_stores_chooses_among_its_own(client, store_user, store, other_store):
    second = MembershipFactory(user=store_user).store
    client.force_login(store_user)

    response = client.get(reverse("portal:orders"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('portal:stores')}?next={reverse('portal:orders')}"

    chooser = client.get(response["Location"]).content.decode()
    assert store.name in chooser and second.name in chooser and other_store.name not in chooser

    refused = client.post(reverse("portal:stores"), {"store_id": other_store.pk, "next": reverse("portal:orders")})
    assert refused.status_code == 404
    assert SESSION_STORE not in client.session
    assert client.post(reverse("portal:stores"), {"store_id": "x"}).status_code == 404

    chosen = client.post(reverse("portal:stores"), {"store_id": second.pk, "next": reverse("portal:orders")})
    assert chosen.status_code == 302 and chosen["Location"] == reverse("portal:orders")
    page = client.get(reverse("portal:orders"))
    assert page_config(page)["storeId"] == second.pk
    # The header's switcher offers the user's stores and no other.
    html = page.content.decode()
    assert f'value="{store.pk}"' in html and f'value="{second.pk}" selected' in html
    assert f'value="{other_store.pk}"' not in html


def test_the_switcher_never_leads_off_the_site(client, store_user, store):
    client.force_login(store_user)
    response = client.post(reverse("portal:stores"), {"store_id": store.pk, "next": "https://evil.example/"})
    assert response["Location"] == reverse("portal:home")


def test_a_store_no_longer_the_users_is_forgotten(client, store_user, store):
    second = MembershipFactory(user=store_user)
    client.force_login(store_user)
    client.post(reverse("portal:stores"), {"store_id": second.store_id})
    second.delete()
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert page_config(response)["storeId"] == store.pk


def test_a_platform_admin_may_open_any_store(client, admin_user, store, other_store):
    client.force_login(admin_user)
    assert client.get(reverse("portal:home"))["Location"].startswith(reverse("portal:stores"))
    chooser = client.get(reverse("portal:stores")).content.decode()
    assert store.name in chooser and other_store.name in chooser
    client.post(reverse("portal:stores"), {"store_id": other_store.pk})
    response = client.get(reverse("portal:home"))
    assert page_config(response)["storeId"] == other_store.pk and page_config(response)["canManage"] is True
    order = LetzshopOrderFactory(store=store)
    assert client.get(reverse("portal:order", args=[order.pk])).status_code == 200


def test_a_user_without_a_store_is_told_so(client, db):
    from stores.tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("portal:home"))
    assert response.status_code == 403
    assert b"not a member of any store" in response.content


def test_staff_see_the_settings_read_only(client, staff_member):
    client.force_login(staff_member)
    html = client.get(reverse("portal:settings")).content.decode()
    assert 'id="read-only-note"' in html
    assert 'id="save-credentials" disabled' in html


def test_pages_are_in_the_chosen_language(client, store_user):
    client.force_login(store_user)
    client.post(reverse("set_language"), {"language": "de", "next": reverse("portal:orders")})
    html = client.get(reverse("portal:orders")).content.decode()
    assert '<html lang="de">' in html
    assert '<option value="de" lang="de" selected>Deutsch</option>' in html
    catalog = client.get(reverse("portal:jsi18n"))
    assert catalog.status_code == 200 and b"gettext" in catalog.content


def test_unknown_pages_are_404(client, store_user):
    client.force_login(store_user)
    assert client.get("/store/orders/abc/").status_code == 404


def test_every_other_store_is_unknown_to_the_chooser(client, store_user):
    client.force_login(store_user)
    assert client.post(reverse("portal:stores"), {"store_id": StoreFactory().pk}).status_code == 404
