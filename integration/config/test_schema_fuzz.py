"""Schemathesis over the OpenAPI document, in-process against the WSGI app, as a store user and
as a platform admin: no 5xx, answers that conform to the schema, only status codes it lists
(docs/security.md). Bounded: a few examples per operation and FUZZ_SECONDS in all."""

from __future__ import annotations

import os
import random
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation.modes import GenerationMode

from config.auth_views import token_issue
from config.wsgi import application

pytestmark = [pytest.mark.django_db]

# The whole fuzz (both users) stays within this, whatever the machine's speed.
FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "60"))
POSITIVE_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4"))
NEGATIVE_EXAMPLES = int(os.environ.get("FUZZ_NEGATIVE_EXAMPLES", "3"))
SEED = int(os.environ.get("FUZZ_SEED") or random.SystemRandom().randrange(10**6))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def fuzz_settings(settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # schemathesis' WSGI host
    # Outbound calls go nowhere: a refused loopback port answers at once.
    settings.LETZSHOP_ALLOWED_HOSTS = ["127.0.0.1:9"]
    settings.LETZSHOP_API_ENDPOINT = "http://127.0.0.1:9/graphql"
    settings.LETZSHOP_CONNECT_TIMEOUT = 0.5
    return settings


@pytest.fixture
def fuzz_users(store, store_user, admin_user, fuzz_settings):
    from letzshop.tests.factories import CredentialsFactory
    from stores.tests.factories import ProductFactory

    ProductFactory(store=store)
    CredentialsFactory(store=store)
    return {"store": store_user, "admin": admin_user}


@pytest.fixture
def connections_kept_open(db):
    """Calls through the WSGI app would close the test's connection at each request's end (as
    Django's own test client prevents): keep it for the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )


_schema: list = []


def _api_schema():
    """The schema, loaded once (drf-spectacular builds it in seconds)."""
    if not _schema:
        _schema.append(schemathesis.openapi.from_wsgi("/api/schema/?format=json", application))
    return _schema[0]


def _fuzz(user, prefixes: tuple[str, ...], started: float, budget: float) -> tuple[list[str], int]:
    """Every operation under ``prefixes``: a few examples that fit the schema and a few that do
    not; (failures, operations run)."""
    failures, run = [], 0
    only = os.environ.get("FUZZ_ONLY", "")
    operations = [result.ok() for result in _api_schema().get_all_operations()]
    operations = [op for op in operations if op.path.startswith(prefixes) and (not only or only in op.path)]
    # When the time runs out before the last operation, each run has reached others: the order is
    # shuffled, with a seed the failure message names (FUZZ_SEED repeats a run).
    random.Random(SEED).shuffle(operations)
    for operation in operations:
        if time.monotonic() - started > budget:
            break
        run += 1
        for mode, examples in (
            (GenerationMode.POSITIVE, POSITIVE_EXAMPLES),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES),
        ):

            @given(case=operation.as_strategy(generation_mode=mode))
            @_settings(examples)
            def call(case):
                # Each call in a savepoint, as each request has its own transaction in production:
                # a database error one request caught must not break the test's transaction for
                # the next calls, but it is reported.
                with transaction.atomic():
                    # A fresh token for each call: the fuzz may well revoke the one it holds.
                    _instance, token = token_issue(user)
                    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
                    assert not connection.needs_rollback, "a database error was caught inside the request"

            try:
                call()
            except Exception as exc:  # noqa: BLE001 - every operation's failure is reported together
                causes = [exc, *getattr(exc, "exceptions", ())]
                text = " / ".join(f"{type(cause).__name__}: {cause}" for cause in causes)
                failures.append(
                    f"{operation.method.upper()} {operation.path} ({mode}, FUZZ_SEED={SEED}): {text[:2500]}"
                )
                break
    return failures, run


@pytest.mark.parametrize(
    ("who", "prefixes"),
    [("store", ("/api/v1/store/", "/api/v1/me", "/api/v1/auth/")), ("admin", ("/api/v1/admin/",))],
)
def test_every_input_is_answered_as_the_schema_says(who, prefixes, fuzz_users, connections_kept_open):
    _api_schema()  # loaded before the clock starts
    started = time.monotonic()
    # Half of the fuzz's time for each user.
    failures, run = _fuzz(fuzz_users[who], prefixes, started, FUZZ_SECONDS / 2)
    assert run >= 1, "the schema's operations were not reached"
    assert not failures, "\n\n".join(failures)
