"""Letzshop credentials of a store: save, delete, test, rotate, schedule auto-sync."""

import ipaddress
import json
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from config.errors import InvalidInput, NotFound
from letzshop.crypto import CredentialsDecryptionError, decrypt_value, encrypt_value, mask_key, rotate_value
from letzshop.models import SYNC_INTERVAL_MAX, SYNC_INTERVAL_MIN, StoreLetzshopCredentials
from stores.hooks import sync_interval_check
from stores.models import Store

AUTOSYNC_TASK = "letzshop.tasks.store_orders_import_scheduled"
MAX_API_KEY_LENGTH = 500


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_endpoints() -> list[tuple[str, str]]:
    """LETZSHOP_ALLOWED_HOSTS as (host, port) pairs: ``letzshop.lu`` is port 443 only,
    ``127.0.0.1:8765`` that port, ``127.0.0.1:*`` any port (the tests' sandbox, on a free port)."""
    entries = []
    for entry in settings.LETZSHOP_ALLOWED_HOSTS:
        entry = entry.strip().lower()
        if not entry:
            continue
        host, port = entry, "443"
        if entry.startswith("["):  # [::1]:8765
            host, _, rest = entry[1:].partition("]")
            port = rest.removeprefix(":") or "443"
        elif entry.count(":") == 1:
            host, port = entry.split(":")
        entries.append((host, port))
    return entries


def _describe(entries: list[tuple[str, str]]) -> str:
    return ", ".join(f"{host}:{port}" for host, port in entries)


def api_endpoint_validate(url: str) -> str:
    """An endpoint is https on a host and port of LETZSHOP_ALLOWED_HOSTS; plain http only on a
    listed loopback host (the sandbox). This keeps the field from making the server call anywhere
    (docs/security.md)."""
    url = (url or "").strip()
    parts = urlsplit(url)
    try:
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:  # a port that is not a number, or out of range
        host, port = "", None
    if parts.scheme not in ("http", "https") or not host or len(url) > 500:
        raise InvalidInput(gettext("Enter a full URL such as https://letzshop.lu/graphql."), field="api_endpoint")
    if parts.username or parts.password:
        raise InvalidInput(gettext("The endpoint URL must not carry a user name or password."), field="api_endpoint")
    port = port or (443 if parts.scheme == "https" else 80)
    allowed = allowed_endpoints()
    refused = InvalidInput(
        gettext("The host %(host)s is not allowed: the endpoint must be on one of LETZSHOP_ALLOWED_HOSTS (%(hosts)s).")
        % {"host": f"{host}:{port}", "hosts": _describe(allowed) or gettext("none set")},
        field="api_endpoint",
    )
    if not any(host == a_host for a_host, _ in allowed):
        raise refused
    if parts.scheme == "http" and not _is_loopback(host):
        raise InvalidInput(
            gettext("The endpoint must use https (plain http is allowed only for a loopback host such as 127.0.0.1)."),
            field="api_endpoint",
        )
    if not any(host == a_host and a_port in ("*", str(port)) for a_host, a_port in allowed):
        raise refused
    return url


def api_key_validate(api_key) -> str:
    api_key = str(api_key or "").strip()
    if not api_key:
        raise InvalidInput(gettext("Enter the Letzshop API key."), field="api_key")
    if len(api_key) > MAX_API_KEY_LENGTH or any(ch.isspace() for ch in api_key):
        raise InvalidInput(
            gettext("This does not look like a Letzshop API key (no spaces, at most 500 characters)."), field="api_key"
        )
    # The key travels in an HTTP header, which carries Latin-1 only: any other character would
    # be saved and then fail every call. Letzshop's keys are printable ASCII.
    if not all(" " < ch < "\x7f" for ch in api_key):
        raise InvalidInput(
            gettext("A Letzshop API key has only letters, digits and ASCII punctuation: paste it again from Letzshop."),
            field="api_key",
        )
    return api_key


def sync_interval_validate(value) -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        minutes = None
    if minutes is None or not SYNC_INTERVAL_MIN <= minutes <= SYNC_INTERVAL_MAX:
        raise InvalidInput(
            gettext("The sync interval is a number of minutes between %(min)d and %(max)d.")
            % {"min": SYNC_INTERVAL_MIN, "max": SYNC_INTERVAL_MAX},
            field="sync_interval_minutes",
        )
    return minutes


def credentials_get(*, store: Store) -> StoreLetzshopCredentials:
    credentials = StoreLetzshopCredentials.objects.filter(store=store).first()
    if credentials is None:
        raise NotFound(gettext("This store has no Letzshop credentials yet: save an API key first."))
    return credentials


def credentials_api_key(*, credentials: StoreLetzshopCredentials) -> str:
    return decrypt_value(credentials.api_key_encrypted)


def credentials_masked_key(*, credentials: StoreLetzshopCredentials) -> str:
    """``letz****``; ``****`` alone if the stored key cannot be read with the current keys."""
    try:
        return mask_key(credentials_api_key(credentials=credentials))
    except CredentialsDecryptionError:
        return "****"


@transaction.atomic
def credentials_save(
    *,
    store: Store,
    api_key: str | None = None,
    api_endpoint: str | None = None,
    auto_sync_enabled: bool | None = None,
    sync_interval_minutes: int | None = None,
    partial: bool = False,
) -> StoreLetzshopCredentials:
    """Create or update a store's credentials (POST creates or replaces, PATCH needs them to
    exist). Only what is given changes; the key is encrypted before it reaches the database."""
    credentials = StoreLetzshopCredentials.objects.select_for_update().filter(store=store).first()
    if credentials is None:
        if partial:
            raise NotFound(gettext("This store has no Letzshop credentials yet: save an API key first."))
        credentials = StoreLetzshopCredentials(store=store, api_endpoint=settings.LETZSHOP_API_ENDPOINT)
        if api_key is None:
            raise InvalidInput(gettext("Enter the Letzshop API key."), field="api_key")
    if api_key is not None:
        credentials.api_key_encrypted = encrypt_value(api_key_validate(api_key))
    if api_endpoint is not None:
        credentials.api_endpoint = api_endpoint_validate(api_endpoint or settings.LETZSHOP_API_ENDPOINT)
    if auto_sync_enabled is not None:
        credentials.auto_sync_enabled = bool(auto_sync_enabled)
    if sync_interval_minutes is not None:
        credentials.sync_interval_minutes = sync_interval_validate(sync_interval_minutes)
    if sync_interval_minutes is not None or auto_sync_enabled:
        # The merchant's plan may set a shortest interval (docs/billing.md).
        sync_interval_check(store=store, minutes=credentials.sync_interval_minutes)
    credentials.save()
    autosync_schedule(credentials=credentials)
    return credentials


@transaction.atomic
def credentials_delete(*, store: Store) -> None:
    credentials = credentials_get(store=store)
    credentials.delete()
    autosync_unschedule(store_id=store.pk)


def _autosync_task_name(store_id: int) -> str:
    return f"letzshop-import-store-{store_id}"


def autosync_schedule(*, credentials: StoreLetzshopCredentials) -> None:
    """Keep the store's beat entry (django-celery-beat) in step with its credentials.

    The database scheduler notices the change on its next tick, so switching auto-sync or its
    interval takes effect without restarting beat.
    """
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    interval, _ = IntervalSchedule.objects.get_or_create(
        every=credentials.sync_interval_minutes, period=IntervalSchedule.MINUTES
    )
    PeriodicTask.objects.update_or_create(
        name=_autosync_task_name(credentials.store_id),
        defaults={
            "task": AUTOSYNC_TASK,
            "interval": interval,
            "args": json.dumps([credentials.store_id]),
            "enabled": credentials.auto_sync_enabled,
            "description": f"Letzshop order import of store {credentials.store_id} (auto-sync)",
        },
    )


def autosync_unschedule(*, store_id: int) -> None:
    from django_celery_beat.models import PeriodicTask

    PeriodicTask.objects.filter(name=_autosync_task_name(store_id)).delete()


def client_for(*, credentials: StoreLetzshopCredentials, **options):
    """A client for the store's endpoint, checked again against the allowlist: a row saved
    before the allowlist changed must not reach a host it no longer names."""
    from letzshop.client import LetzshopClient, ResponseError
    from letzshop.services.incidents import refusal_callback

    try:
        api_endpoint_validate(credentials.api_endpoint)
    except InvalidInput as exc:
        raise ResponseError(exc.message) from None

    return LetzshopClient(
        api_key=credentials_api_key(credentials=credentials),
        endpoint=credentials.api_endpoint,
        on_refused=refusal_callback(store_id=credentials.store_id),
        **options,
    )


def credentials_rotate_all() -> tuple[int, int]:
    """Re-encrypt every stored key with the first key; returns (rotated, unreadable).

    Each row is its own transaction: one unreadable key does not stop the others.
    """
    rotated = unreadable = 0
    for credentials in StoreLetzshopCredentials.objects.only("pk", "api_key_encrypted").iterator():
        try:
            token = rotate_value(credentials.api_key_encrypted)
        except CredentialsDecryptionError:
            unreadable += 1
            continue
        StoreLetzshopCredentials.objects.filter(pk=credentials.pk).update(api_key_encrypted=token)
        rotated += 1
    return rotated, unreadable
