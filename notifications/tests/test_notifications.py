"""Notifications: told once per incident, in the app and by e-mail, read per audience."""

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import translation

from config.tests.clients import api_client_for
from notifications import services
from notifications.models import Notification
from notifications.tests.factories import NotificationFactory
from stores.tests.factories import MembershipFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


def raise_sync_failed(store, **extra):
    fields = {
        "kind": Notification.SYNC_FAILED,
        "store": store,
        "title": "The imports of %(store)s keep failing",
        "message": "The last %(count)s imports of %(store)s did not complete.",
        "params": {"store": store.name, "count": 3},
        "incident_key": f"sync_failed:store:{store.pk}",
        "link": "/store/logs/",
        "admin_link": "/admin/letzshop/letzshopstore/1/change/",
    }
    return services.notification_raise(**{**fields, **extra})


@pytest.fixture
def people(store):
    """The store's owner, manager and staff member, an admin who asked for e-mails, one who did not."""
    owner = MembershipFactory(store=store, role="owner", user__email="owner@example.lu").user
    manager = MembershipFactory(store=store, role="manager", user__email="manager@example.lu").user
    staff = MembershipFactory(store=store, role="staff", user__email="staff@example.lu").user
    MembershipFactory(store=StoreFactory(), role="owner", user__email="elsewhere@example.lu")
    admin = UserFactory(is_staff=True, email="ops@example.lu")
    services.notification_preference_set(user=admin, email_enabled=True)
    quiet_admin = UserFactory(is_staff=True, email="quiet@example.lu")
    return {"owner": owner, "manager": manager, "staff": staff, "admin": admin, "quiet_admin": quiet_admin}


@override_settings(SITE_URL="https://orders.example.lu")
def test_a_new_incident_is_told_in_the_app_and_mailed_to_owners_managers_and_admins_who_asked(
    store, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification, created = raise_sync_failed(store)
    assert created
    assert notification.title_text == f"The imports of {store.name} keep failing"
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == ["manager@example.lu", "ops@example.lu", "owner@example.lu"]
    to_owner = next(message for message in mail.outbox if message.to == ["owner@example.lu"])
    assert to_owner.subject == f"[{store.name}] The imports of {store.name} keep failing"
    assert "https://orders.example.lu/store/logs/" in to_owner.body
    to_admin = next(message for message in mail.outbox if message.to == ["ops@example.lu"])
    assert "https://orders.example.lu/admin/letzshop/letzshopstore/1/change/" in to_admin.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_same_incident_again_is_counted_not_told_again(store, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = raise_sync_failed(store)
        again, created = raise_sync_failed(store, params={"store": store.name, "count": 4})
    assert not created and again.pk == first.pk
    again.refresh_from_db()
    assert again.occurrences == 2
    assert again.params["count"] == "4"  # the latest values
    assert len(mail.outbox) == 3  # one per recipient, once
    assert Notification.objects.count() == 1


def test_once_resolved_the_next_failure_is_a_new_incident(store, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = raise_sync_failed(store)
    assert services.notification_resolve(incident_key=first.incident_key) == 1
    with django_capture_on_commit_callbacks(execute=True):
        second, created = raise_sync_failed(store)
    assert created and second.pk != first.pk
    assert len(mail.outbox) == 6


def test_a_mail_server_that_fails_leaves_the_notification_in_the_app(store, people, django_capture_on_commit_callbacks):
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_PORT=1, EMAIL_TIMEOUT=1),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notification, created = raise_sync_failed(store)
    notification.refresh_from_db()
    assert created and notification.emailed_at is None


def test_texts_are_shown_in_the_readers_language(store):
    notification, _ = raise_sync_failed(store)
    with translation.override("fr"):
        assert store.name in notification.title_text
        assert notification.title_text != f"The imports of {store.name} keep failing"
    with translation.override("de"):
        assert notification.title_text != f"The imports of {store.name} keep failing"


# --- the API ----------------------------------------------------------------------------------


def test_a_store_lists_its_own_notifications_and_marks_them_read(store, other_store, store_user):
    own = NotificationFactory(store=store)
    NotificationFactory(store=other_store)
    client = api_client_for(store_user)
    body = client.get("/api/v1/store/notifications").json()
    assert [row["id"] for row in body["results"]] == [own.pk]
    row = body["results"][0]
    assert set(row) >= {
        "id",
        "kind",
        "level",
        "title",
        "message",
        "store_id",
        "letzshop_order_id",
        "created_at",
        "read_at",
    }
    assert row["title"] == f"The imports of {store.name} keep failing"
    assert row["read_at"] is None and row["link"] == "/store/logs/"

    response = client.post(f"/api/v1/store/notifications/{own.pk}/read")
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert client.get("/api/v1/store/notifications?unread=true").json()["count"] == 0
    assert client.get("/api/v1/store/notifications?unread=false").json()["count"] == 1
    assert client.get("/api/v1/store/notifications?unread=maybe").status_code == 400
    # The platform admins' own state is untouched.
    own.refresh_from_db()
    assert own.admin_read_at is None


def test_the_admin_lists_every_notification_or_one_stores_and_reads_for_the_admins(admin_api, store, other_store):
    own = NotificationFactory(store=store)
    other = NotificationFactory(store=other_store)
    body = admin_api.get("/api/v1/admin/notifications").json()
    assert {row["id"] for row in body["results"]} == {own.pk, other.pk}
    body = admin_api.get(f"/api/v1/admin/notifications?store_id={store.pk}").json()
    assert [row["id"] for row in body["results"]] == [own.pk]
    assert body["results"][0]["link"] == "/admin/letzshop/letzshopsynclog/"
    assert admin_api.get("/api/v1/admin/notifications?store_id=x").status_code == 400

    assert admin_api.post(f"/api/v1/admin/notifications/{own.pk}/read").json()["read_at"] is not None
    own.refresh_from_db()
    assert own.admin_read_at is not None and own.read_at is None
    assert admin_api.post("/api/v1/admin/notifications/999999/read").status_code == 404


def test_the_notification_lists_cost_a_constant_number_of_queries(
    admin_api, store, store_user, django_assert_max_num_queries
):
    for _ in range(30):
        NotificationFactory(store=store)
    with django_assert_max_num_queries(6):
        assert admin_api.get("/api/v1/admin/notifications").status_code == 200
    client = api_client_for(store_user)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/store/notifications").status_code == 200


def test_settled_notifications_are_pruned_in_batches_open_or_unread_ones_stay(store):
    from datetime import timedelta

    from django.utils import timezone

    old = timezone.now() - timedelta(days=400)
    settled = [NotificationFactory(store=store, resolved_at=old, read_at=old) for _ in range(5)]
    unread = NotificationFactory(store=store, resolved_at=old)
    still_open = NotificationFactory(store=store, read_at=old)
    Notification.objects.filter(pk__in=[n.pk for n in [*settled, unread, still_open]]).update(created_at=old)
    deleted, batches = services.notifications_prune(before=timezone.now() - timedelta(days=30), batch_size=2)
    assert (deleted, batches) == (5, 3)
    assert set(Notification.objects.values_list("pk", flat=True)) == {unread.pk, still_open.pk}
