"""LOG_FORMAT=json: one JSON object per line, with what each line is about; never an API key."""

import json
import logging
import os
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.utils import timezone

from config.logs import ContextFilter, JsonFormatter, log_context
from letzshop.imports import orders_import
from letzshop.models import LetzshopFulfillmentQueue
from letzshop.services.connection import connection_test
from letzshop.services.fulfillment import order_confirm, queue_item_process
from letzshop.tests.helpers import clean_order
from sandbox import DEFAULT_API_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """Everything logged while the test runs, through the JSON formatter, at DEBUG."""
    stream = StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()], stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def test_an_import_and_a_queue_row_log_json_with_their_store_and_row_and_never_the_key(
    sandbox_store,
    letzshop_sandbox,
    json_lines,
    client,
    admin_user,  # noqa: F811
):
    lines, stream = json_lines
    result = orders_import(store=sandbox_store, triggered_by="command")
    order = clean_order(sandbox_store)
    item, _ = order_confirm(order=order)
    LetzshopFulfillmentQueue.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())
    queue_item_process(item_id=item.pk)
    connection_test(store=sandbox_store)
    logging.getLogger("letzshop").warning("a careless line: key=%s, header=Bearer %s", DEFAULT_API_KEY, DEFAULT_API_KEY)
    client.force_login(admin_user)
    response = client.get("/readyz", HTTP_X_REQUEST_ID="probe-42")
    logging.getLogger("django.request").info("served")  # outside the request: no id

    records = lines()
    assert records, "nothing was logged"
    for record in records:
        assert {"time", "level", "logger", "message"} <= set(record)
    ended = next(r for r in records if r["message"].startswith(f"import of store {sandbox_store.code} ended"))
    assert ended["store"] == sandbox_store.code and ended["sync_log"] == result.sync_log_id
    during_queue = [r for r in records if r.get("queue_item") == item.pk]
    assert during_queue and all(r["store"] == sandbox_store.code for r in during_queue)
    careless = next(r for r in records if r["message"].startswith("a careless line"))
    assert careless["message"] == "a careless line: key=****, header=Bearer ****"
    assert DEFAULT_API_KEY not in stream.getvalue()
    assert response["X-Request-ID"] == "probe-42"


def test_the_request_id_of_a_request_is_on_its_lines(client, json_lines, settings):
    lines, _ = json_lines
    response = client.get("/api/v1/store/no-such-endpoint")
    generated = response["X-Request-ID"]
    assert len(generated) == 32
    not_found = [r for r in lines() if r["logger"] == "django.request"]
    assert not_found and all(r["request_id"] == generated for r in not_found)
    # A caller's id that is not a short plain token is replaced.
    assert client.get("/healthz", HTTP_X_REQUEST_ID="x" * 200)["X-Request-ID"] != "x" * 200


def test_a_context_binds_for_a_block_only(json_lines):
    lines, _ = json_lines
    with log_context(store="shop-1", queue_item=7):
        logging.getLogger("letzshop").info("inside")
    logging.getLogger("letzshop").info("outside")
    inside, outside = lines()[-2:]
    assert (inside["store"], inside["queue_item"]) == ("shop-1", 7)
    assert (outside["store"], outside["queue_item"]) == (None, None)


def test_log_format_json_is_the_settings_choice():
    code = "import logging, django; django.setup(); logging.getLogger('letzshop').warning('hello %s', 'world')"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "LOG_FORMAT": "json"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    (line,) = [line for line in result.stderr.splitlines() if line.strip()]
    record = json.loads(line)
    assert record["message"] == "hello world" and record["level"] == "WARNING" and record["logger"] == "letzshop"


def test_a_child_forked_while_another_thread_registers_a_secret_can_register_its_own():
    import os
    import threading

    from config import logs

    held, release = threading.Event(), threading.Event()

    def holder():
        with logs._secrets_lock:
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    try:
        pid = os.fork()
        if pid == 0:  # the child: the holder thread is not here
            acquired = logs._secrets_lock.acquire(timeout=2)
            os._exit(0 if acquired else 1)
        _, status = os.waitpid(pid, 0)
    finally:
        release.set()
        thread.join()
    assert os.waitstatus_to_exitcode(status) == 0
