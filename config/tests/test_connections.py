"""Connections to PostgreSQL stay bounded under load, under `runserver` (a thread per request)."""

import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection

from config.tests.clients import api_client_for
from config.tests.processes import child_database_url, request, runserver

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

REQUESTS = 240
CLIENTS = 16


SERVER = "letzshop-load-test"  # the server's application_name (libpq's PGAPPNAME)


def server_connections(monitor) -> int:
    """The server's connections to the test database."""
    return monitor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
        [SERVER],
    ).fetchone()[0]


def settled_connections(monitor, bound: int) -> int:
    """The server's connections once its last requests have closed theirs (at most ``bound``, or
    what is left after 10 s)."""
    deadline = time.monotonic() + 10
    count = server_connections(monitor)
    while count > bound and time.monotonic() < deadline:
        time.sleep(0.1)
        count = server_connections(monitor)
    return count


def load(base: str, token: str, monitor) -> tuple[set[int], int]:
    """REQUESTS calls to /api/v1/me from CLIENTS threads; (statuses, most connections seen meanwhile)."""

    def call():
        return request(f"{base}/api/v1/me", headers={"Authorization": token})[0]

    peak = 0
    with ThreadPoolExecutor(CLIENTS) as pool:
        calls = [pool.submit(call) for _ in range(REQUESTS)]
        deadline = time.monotonic() + 120
        while not all(done.done() for done in calls) and time.monotonic() < deadline:
            peak = max(peak, server_connections(monitor))
            time.sleep(0.01)
        return {done.result() for done in calls}, peak


@pytest.mark.parametrize("pool_size", ["4", "0"], ids=["pool of 4", "no pool"])
def test_connections_stay_bounded_under_load(tmp_path, store_user, pool_size):
    if connection.display_name != "PostgreSQL":
        pytest.skip("counts PostgreSQL's connections")
    token = api_client_for(store_user)._credentials["HTTP_AUTHORIZATION"]
    bound = int(pool_size) or 1  # the pool, or runserver's one connection from its start
    with (
        psycopg.connect(child_database_url().replace("postgres://", "postgresql://", 1), autocommit=True) as monitor,
        runserver(
            tmp_path, DATABASE_URL=child_database_url(), DATABASE_POOL_MAX_SIZE=pool_size, PGAPPNAME=SERVER
        ) as base,
    ):
        statuses, peak = load(base, token, monitor)
        after = settled_connections(monitor, bound)
        statuses_again, peak_again = load(base, token, monitor)
        after_again = settled_connections(monitor, bound)
    assert statuses == statuses_again == {200}
    if pool_size == "4":
        # Never more than the pool, however many threads runserver started, and no growth.
        assert 1 <= peak <= 4 and peak_again <= 4 and after <= 4 and after_again <= after
    else:
        # A connection per request, closed at its end: once the load is over, only the one
        # runserver opened at start (its migrations check, in the main thread) is left. While the
        # load runs, a request's thread closes its connection after the client has its answer, and
        # a closed backend stays in pg_stat_activity until its process has exited: a client's next
        # request can open one before the last is gone, so up to two a client are counted at
        # once. A leak would grow with the 240 requests, and would be left once the load is over.
        bound_under_load = 2 * CLIENTS + 1
        assert 1 <= peak <= bound_under_load and peak_again <= bound_under_load
        assert after <= 1 and after_again <= 1
