"""The OpenAPI document tells the truth (docs/api.md, docs/security.md)."""

import pytest

pytestmark = pytest.mark.django_db

ERRORS = {"400", "401", "403", "404", "409", "413", "429"}


@pytest.fixture(scope="module")
def document(django_db_blocker):
    from django.test import Client

    with django_db_blocker.unblock():
        return Client().get("/api/schema/?format=json").json()


def test_every_operation_lists_the_4xx_it_can_answer(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                assert ERRORS <= set(operation["responses"]), f"{method.upper()} {path}"


def test_queue_item_id_is_nullable(document):
    assert document["components"]["schemas"]["SyncLog"]["properties"]["queue_item_id"]["nullable"] is True


def test_usernames_follow_djangos_rule(document, admin_api):
    username = document["components"]["schemas"]["UserCreateRequest"]["properties"]["username"]
    assert username["pattern"] and username["maxLength"] == 150
    body = {"username": "bad name!", "password": "Very-long-pass-987"}
    response = admin_api.post("/api/v1/admin/users", body, format="json")
    assert response.status_code == 400 and "username" in response.json()
