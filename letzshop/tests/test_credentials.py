"""Encrypted credentials: round trip, rotation, failing closed, masking, the endpoint allowlist."""

import subprocess
from io import StringIO
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from config.tests.clients import api_client_for
from letzshop.crypto import CredentialsDecryptionError, decrypt_value, encrypt_value, mask_key
from letzshop.models import StoreLetzshopCredentials
from letzshop.services.credentials import credentials_api_key, credentials_save
from letzshop.tests.factories import CredentialsFactory

pytestmark = pytest.mark.django_db

SECRET = "letzshop-secret-key-0123456789abcdef"
KEY_1, KEY_2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def test_round_trip_and_never_the_plain_text(settings):
    token = encrypt_value(SECRET)
    assert SECRET not in token
    assert decrypt_value(token) == SECRET


def test_derived_key_without_the_variable_depends_on_secret_key(settings):
    settings.LETZSHOP_ENCRYPTION_KEYS = []
    token = encrypt_value(SECRET)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    with pytest.raises(CredentialsDecryptionError):
        decrypt_value(token)


def test_decryption_fails_closed_with_a_clear_message(settings):
    settings.LETZSHOP_ENCRYPTION_KEYS = [KEY_1]
    token = encrypt_value(SECRET)
    settings.LETZSHOP_ENCRYPTION_KEYS = [KEY_2]
    with pytest.raises(CredentialsDecryptionError) as caught:
        decrypt_value(token)
    message = str(caught.value)
    assert "LETZSHOP_ENCRYPTION_KEYS" in message
    assert token not in message and SECRET not in message


def test_rotation_re_encrypts_every_key_with_the_first(settings, store):
    settings.LETZSHOP_ENCRYPTION_KEYS = [KEY_1]
    stores = [store, *[CredentialsFactory().store for _ in range(2)]]
    for each in stores:
        credentials_save(store=each, api_key=f"{SECRET}-{each.pk}")
    settings.LETZSHOP_ENCRYPTION_KEYS = [KEY_2, KEY_1]
    out = StringIO()
    call_command("letzshop_rotate_keys", stdout=out)
    assert "Re-encrypted 3 API key(s)" in out.getvalue()
    settings.LETZSHOP_ENCRYPTION_KEYS = [KEY_2]  # the old key is gone: every key still reads
    for each in stores:
        credentials = StoreLetzshopCredentials.objects.get(store=each)
        assert credentials_api_key(credentials=credentials) == f"{SECRET}-{each.pk}"


def test_rotation_reports_keys_it_cannot_read(settings, store):
    settings.LETZSHOP_ENCRYPTION_KEYS = [KEY_1]
    credentials_save(store=store, api_key=SECRET)
    settings.LETZSHOP_ENCRYPTION_KEYS = [KEY_2]
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("letzshop_rotate_keys", stdout=StringIO(), stderr=err)
    assert "1 key(s) could not be decrypted" in err.getvalue()


def test_generate_prints_a_usable_key():
    out = StringIO()
    call_command("letzshop_rotate_keys", "--generate", stdout=out)
    Fernet(out.getvalue().strip().encode())


def test_mask():
    assert mask_key("letzshop-abcdef") == "letz****"
    assert mask_key("short") == "****"


@pytest.mark.django_db(transaction=True)
def test_the_stored_key_is_not_readable_in_the_database(store):
    credentials_save(store=store, api_key=SECRET)
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_key_encrypted FROM store_letzshop_credentials")
        (stored,) = cursor.fetchone()
    assert SECRET not in stored
    assert stored.startswith("gAAAA")  # a Fernet token
    if "sqlite" in connection.settings_dict["ENGINE"]:
        # The database file itself (and its write-ahead log) holds no trace of the key. Read by
        # another process: closing a file descriptor of the database in this one would drop
        # SQLite's POSIX locks for every connection of this process.
        path = Path(connection.settings_dict["NAME"])
        found = subprocess.run(
            ["grep", "-c", "-a", SECRET, str(path), f"{path}-wal"], capture_output=True, text=True
        ).stdout
        assert f"{path}:0" in found.split(), found  # the file was read, and the key is not in it
        assert all(line.endswith(":0") for line in found.split()), found


def test_credentials_api_masks_the_key_in_every_answer(store, store_api):
    created = store_api.post("/api/v1/store/letzshop/credentials", {"api_key": SECRET}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["api_key_masked"] == "letz****"
    assert created.json()["api_endpoint"] == "https://letzshop.lu/graphql"
    answers = [
        created,
        store_api.get("/api/v1/store/letzshop/credentials"),
        store_api.patch("/api/v1/store/letzshop/credentials", {"auto_sync_enabled": True}, format="json"),
        store_api.get("/api/v1/store/letzshop/status"),
    ]
    for response in answers:
        assert response.status_code == 200 or response.status_code == 201
        assert SECRET not in response.content.decode()
        assert "api_key_encrypted" not in response.content.decode()
    assert answers[2].json()["auto_sync_enabled"] is True
    status = answers[3].json()
    assert status["is_configured"] is True and status["api_key_masked"] == "letz****"


def test_the_first_save_needs_a_key_and_patch_needs_credentials(store_api):
    assert (
        store_api.patch("/api/v1/store/letzshop/credentials", {"auto_sync_enabled": True}, format="json").status_code
        == 404
    )
    response = store_api.post("/api/v1/store/letzshop/credentials", {"auto_sync_enabled": True}, format="json")
    assert response.status_code == 400
    assert response.json() == {"api_key": ["Enter the Letzshop API key."]}


@pytest.mark.parametrize("minutes", [4, 1441, "often"])
def test_sync_interval_is_5_to_1440(store_api, minutes):
    response = store_api.post(
        "/api/v1/store/letzshop/credentials", {"api_key": SECRET, "sync_interval_minutes": minutes}, format="json"
    )
    assert response.status_code == 400
    assert "sync_interval_minutes" in response.json()


@pytest.mark.parametrize(
    "endpoint, rule",
    [
        ("https://evil.example.com/graphql", "not allowed"),
        ("http://letzshop.lu/graphql", "must use https"),
        ("ftp://letzshop.lu/graphql", "full URL"),
        ("https://user:pw@letzshop.lu/graphql", "user name or password"),
        ("http://169.254.169.254/latest", "not allowed"),
        ("http://127.0.0.2:8765/graphql", "not allowed"),
    ],
)
def test_endpoint_must_be_https_on_an_allowed_host(store_api, endpoint, rule):
    response = store_api.post(
        "/api/v1/store/letzshop/credentials", {"api_key": SECRET, "api_endpoint": endpoint}, format="json"
    )
    assert response.status_code == 400
    assert rule in response.json()["api_endpoint"][0]


def test_plain_http_only_for_a_listed_loopback_host(store_api, settings):
    settings.LETZSHOP_ALLOWED_HOSTS = ["letzshop.lu", "127.0.0.1:8765"]
    response = store_api.post(
        "/api/v1/store/letzshop/credentials",
        {"api_key": SECRET, "api_endpoint": "http://127.0.0.1:8765/graphql"},
        format="json",
    )
    assert response.status_code == 201


def test_staff_may_read_but_not_change_credentials(store, staff_member):
    credentials_save(store=store, api_key=SECRET)
    client = api_client_for(staff_member)
    assert client.get("/api/v1/store/letzshop/credentials").status_code == 200
    assert client.delete("/api/v1/store/letzshop/credentials").status_code == 403
    assert StoreLetzshopCredentials.objects.filter(store=store).exists()


def test_delete_removes_credentials_and_the_schedule(store, store_api):
    from django_celery_beat.models import PeriodicTask

    credentials_save(store=store, api_key=SECRET, auto_sync_enabled=True)
    assert PeriodicTask.objects.filter(name=f"letzshop-import-store-{store.pk}", enabled=True).exists()
    assert store_api.delete("/api/v1/store/letzshop/credentials").status_code == 204
    assert not StoreLetzshopCredentials.objects.filter(store=store).exists()
    assert not PeriodicTask.objects.filter(name=f"letzshop-import-store-{store.pk}").exists()


def test_admin_manages_any_stores_credentials(admin_api, store, other_store):
    url = f"/api/v1/admin/letzshop/stores/{other_store.pk}/credentials"
    assert admin_api.post(url, {"api_key": SECRET}, format="json").status_code == 201
    assert admin_api.get(url).json()["store_id"] == other_store.pk
    rows = admin_api.get("/api/v1/admin/letzshop/stores").json()["results"]
    by_id = {row["store_id"]: row for row in rows}
    assert by_id[other_store.pk]["is_configured"] is True
    assert by_id[other_store.pk]["api_key_masked"] == "letz****"
    assert by_id[store.pk]["is_configured"] is False
    assert SECRET not in str(rows)


def test_admin_store_list_costs_constant_queries(admin_api, django_assert_max_num_queries):
    CredentialsFactory()
    with django_assert_max_num_queries(4):
        admin_api.get("/api/v1/admin/letzshop/stores")
    CredentialsFactory.create_batch(30)
    with django_assert_max_num_queries(4):
        assert len(admin_api.get("/api/v1/admin/letzshop/stores").json()["results"]) == 31


def test_admin_change_page_never_shows_the_key(client, admin_user, store):
    credentials = credentials_save(store=store, api_key=SECRET)
    client.force_login(admin_user)
    for url in (
        "/admin/letzshop/letzshopstore/",
        f"/admin/letzshop/letzshopstore/{store.pk}/change/",
        f"/admin/letzshop/letzshopstore/{store.pk}/credentials/",
    ):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert SECRET not in page
        assert credentials.api_key_encrypted not in page
