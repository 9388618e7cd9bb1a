"""Testing a store's Letzshop connection, or a key before it is saved: the client's test, then
Letzshop's live schema against the client's documents (letzshop.services.schema_check), each
test written to the sync log."""

from dataclasses import dataclass, replace

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from letzshop.client import LetzshopClient, LetzshopError
from letzshop.client.client import CONNECTION_AUTH_FAILED, CONNECTION_OK
from letzshop.crypto import CredentialsDecryptionError
from letzshop.models import LetzshopSyncLog
from letzshop.services.credentials import api_endpoint_validate, api_key_validate, client_for, credentials_get
from letzshop.services.schema_check import schema_check_after_test
from letzshop.services.sync_log import sync_log_write
from stores.models import Store


@dataclass(frozen=True)
class ConnectionTest:
    success: bool
    message: str
    response_time_ms: float
    # Letzshop's live schema against the client's documents (letzshop.services.schema_check),
    # once the connection works.
    schema: dict | None = None

    def as_dict(self) -> dict:
        answer = {"success": self.success, "message": self.message, "response_time_ms": round(self.response_time_ms, 1)}
        if self.schema is not None:
            answer["schema"] = self.schema
        return answer


def _connection_test(outcome) -> ConnectionTest:
    """The client's outcome, its two usual messages in the reader's language."""
    message = {
        CONNECTION_OK: gettext("Connection successful"),
        CONNECTION_AUTH_FAILED: gettext("Authentication failed: the API key was refused by Letzshop"),
    }.get(outcome.message, outcome.message)
    return ConnectionTest(outcome.success, message, outcome.response_time_ms)


def connection_test(*, store: Store, triggered_by: str = "") -> ConnectionTest:
    """Test the stored credentials against Letzshop; the outcome is written to the sync log."""
    credentials = credentials_get(store=store)
    started_at = timezone.now()
    try:
        with client_for(credentials=credentials, rate_limit_waits=0) as client:
            outcome = client.test_connection()
            schema = schema_check_after_test(store=store, client=client, outcome=outcome)
        result = replace(_connection_test(outcome), schema=schema)
    except CredentialsDecryptionError as exc:
        result = ConnectionTest(False, str(exc), 0.0)
    except LetzshopError as exc:  # an endpoint the allowlist no longer names
        result = ConnectionTest(False, exc.message, 0.0)
    sync_log_write(
        store=store,
        operation_type=LetzshopSyncLog.Operation.TEST_CONNECTION,
        direction=LetzshopSyncLog.Direction.OUTBOUND,
        status="success" if result.success else "failed",
        started_at=started_at,
        records_processed=1,
        records_succeeded=int(result.success),
        records_failed=int(not result.success),
        error_details=None if result.success else {"message": result.message},
        triggered_by=triggered_by,
        details={
            "endpoint": credentials.api_endpoint,
            "response_time_ms": round(result.response_time_ms, 1),
            "schema": result.schema,
        },
    )
    return result


def api_key_test(*, api_key: str, api_endpoint: str | None = None) -> ConnectionTest:
    """Test a key without saving it."""
    key = api_key_validate(api_key)
    endpoint = api_endpoint_validate(api_endpoint or settings.LETZSHOP_API_ENDPOINT)
    with LetzshopClient(api_key=key, endpoint=endpoint, rate_limit_waits=0) as client:
        outcome = client.test_connection()
        schema = schema_check_after_test(store=None, client=client, outcome=outcome)
    return replace(_connection_test(outcome), schema=schema)
