"""A run: begun where it is asked for (the lease, the sync log row), run in a worker, its steps
in order (``ImportRun``), its progress and its result read back from the sync log row."""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from config.bulk import bulk_allocations
from config.errors import ServiceError
from letzshop.client.errors import LetzshopError
from letzshop.client.types import ShipmentState
from letzshop.crypto import CredentialsDecryptionError
from letzshop.imports.fetch import (
    BATCH_SHIPMENTS,
    PREFETCH_PAGES,
    STATE_CONFIRMED,
    STATE_UNCONFIRMED,
    PageWork,
    known_digests,
    pages_walk,
    prefetched,
    probe_changed,
)
from letzshop.imports.fetch_process import FetchProcess, PagePrepare, PagesWalk, fetch_process_usable
from letzshop.imports.lease import (
    LeaseLost,
    import_lock_acquire,
    import_lock_claim,
    import_lock_release,
    import_lock_renew,
)
from letzshop.imports.match import MappedPage, shipments_map
from letzshop.imports.outcomes import ImportResult, ImportStatus, PageOutcome
from letzshop.imports.write import commits_without_waiting_for_the_disk, mapped_page_write
from letzshop.models import LetzshopOrder, LetzshopSyncLog, StoreLetzshopCredentials, SyncRunStatus
from letzshop.services.credentials import client_for, credentials_get
from letzshop.services.incidents import import_run_ended
from letzshop.services.sync_log import sync_log_start
from stores.models import Store
from stores.services import placeholder_product_get

logger = logging.getLogger(__name__)

# Progress is written often enough for a page polling it to move smoothly.
PROGRESS_WRITE_SECONDS = 0.5
ProgressCallback = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class ImportStart:
    """A run begun: its lease taken and its sync log row written, not yet run."""

    store: Store
    sync_log: LetzshopSyncLog
    lease: timezone.datetime
    include_confirmed: bool = False


def import_begin(*, store: Store, triggered_by: str, include_confirmed: bool = False) -> ImportStart | ImportResult:
    """Take the store's lease and write the run's sync log row (status running); an
    ImportResult ``already_running`` if another import holds the lease. Quick: a web request
    calls it, then hands the run to a worker (``import_dispatch``)."""
    credentials = credentials_get(store=store)
    lease = import_lock_acquire(store=store)
    if lease is None:
        credentials.refresh_from_db(fields=["import_started_at", "import_sync_log_id"])
        running = LetzshopSyncLog.objects.filter(
            pk=credentials.import_sync_log_id, status=SyncRunStatus.RUNNING
        ).first()
        since = timezone.localtime(running.started_at if running else credentials.import_started_at)
        return ImportResult(
            status=ImportStatus.ALREADY_RUNNING,
            message=gettext("An import of this store is already running (since %(time)s).")
            % {"time": since.strftime("%H:%M:%S")},
            sync_log_id=running.pk if running else None,
        )
    log = sync_log_start(
        store=store,
        operation_type=LetzshopSyncLog.Operation.ORDER_IMPORT,
        direction=LetzshopSyncLog.Direction.INBOUND,
        triggered_by=triggered_by,
        details={"progress": {"pages": 0, "shipments": 0}, "include_confirmed": include_confirmed},
    )
    StoreLetzshopCredentials.objects.filter(store=store, import_started_at=lease).update(import_sync_log_id=log.pk)
    return ImportStart(store=store, sync_log=log, lease=lease, include_confirmed=include_confirmed)


RUN_TASK = "letzshop.tasks.store_orders_import_run"


def import_dispatch(start: ImportStart) -> None:
    """Hand a begun run to an import worker (the ``imports`` queue). Should the message be lost,
    the lease lapses unrenewed and the sweep closes the run and imports the store again."""
    from celery import current_app

    try:
        current_app.tasks[RUN_TASK].apply_async(args=[start.sync_log.pk, start.lease.isoformat()])
    except Exception as exc:
        # The broker is out of reach: nothing will run this import. Close its row and free the
        # store at once (not after the lease), then let the caller answer the outage.
        if not current_app.conf.task_always_eager:
            _finish(
                store=start.store,
                log=start.sync_log,
                result=ImportResult(status=ImportStatus.FAILED, message="", sync_log_id=start.sync_log.pk),
                fatal=gettext("the import could not be handed to a worker: %(error)s") % {"error": exc},
                clock=time.perf_counter(),
            )
            import_lock_release(store=start.store, lease=start.lease)
        raise


def import_resume(*, sync_log_id: int, lease: timezone.datetime) -> ImportResult | None:
    """Run, in a worker, an import begun by ``import_begin``; None if it is not this call's to
    run (a second delivery of the task, or a run the sweep already closed)."""
    log = LetzshopSyncLog.objects.select_related("store").filter(pk=sync_log_id, status=SyncRunStatus.RUNNING).first()
    if log is None:
        return None
    lease = import_lock_claim(store=log.store, sync_log_id=log.pk, lease=lease)
    if lease is None:
        return None
    start = ImportStart(
        store=log.store, sync_log=log, lease=lease, include_confirmed=bool(log.details.get("include_confirmed"))
    )
    return import_run(start)


def import_wait(*, sync_log_id: int, seconds: float) -> ImportResult:
    """The run's result once it ended, or its progress (status running) after ``seconds``."""
    deadline = time.monotonic() + max(seconds, 0.0)
    pause = 0.05
    while True:
        log = LetzshopSyncLog.objects.get(pk=sync_log_id)
        if log.status != SyncRunStatus.RUNNING or time.monotonic() >= deadline:
            return import_result_of(log)
        time.sleep(min(pause, max(deadline - time.monotonic(), 0.0)))
        pause = min(pause * 2, 0.5)


def import_result_of(log: LetzshopSyncLog) -> ImportResult:
    """The import's answer read back from its sync log row (a run that ended, or its progress)."""
    details = log.details or {}
    counts = details if log.status != SyncRunStatus.RUNNING else details.get("progress", {})
    return ImportResult(
        status=ImportStatus(log.status),
        message=details.get("message", "") if log.status != SyncRunStatus.RUNNING else "",
        orders_imported=counts.get("imported", 0),
        orders_updated=counts.get("updated", 0),
        orders_unchanged=counts.get("unchanged", 0),
        exceptions_created=counts.get("exceptions_created", 0),
        pages=counts.get("pages", 0),
        errors=list(log.error_details or []),
        sync_log_id=log.pk,
    )


def orders_import(
    *,
    store: Store,
    triggered_by: str,
    include_confirmed: bool = False,
    full: bool = False,
    page_size: int | None = None,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Import the store's unconfirmed shipments (and every confirmed one with
    ``include_confirmed``: a historical import), here and now (a worker, a command).

    Returns at once with ``already_running`` if an import of this store is running. Writes one
    sync log row (with its progress while it runs) and the credentials' ``last_sync_*``.
    """
    start = import_begin(store=store, triggered_by=triggered_by, include_confirmed=include_confirmed)
    if isinstance(start, ImportResult):
        return start
    return import_run(start, full=full, page_size=page_size, progress=progress)


def import_run(
    start: ImportStart, *, full: bool = False, page_size: int | None = None, progress: ProgressCallback | None = None
) -> ImportResult:
    """Run a begun import to its end, then release its lease."""
    return ImportRun(start, full=full, page_size=page_size, progress=progress).execute()


class ImportRun:
    """One run of a store's import, its steps in the order ``execute`` takes them:

    1. ``keep_lease``: the lease is still this run's (a run that waited long may have lost it);
    2. ``walk_unconfirmed``: every page of unconfirmed shipments (probed first on a re-import);
    3. ``walk_confirmed`` (a historical import) or ``follow_moved_on``: the shipments imported
       earlier that are no longer unconfirmed, looked up among the confirmed ones;
    4. ``finish``: the sync log row, the credentials' last sync, the lease released.

    Every page goes through ``write_pages`` (fetched and mapped ahead, in the fetch process or
    a thread, written in batches), which also renews the lease and reports the progress.
    """

    def __init__(
        self,
        start: ImportStart,
        *,
        full: bool = False,
        page_size: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> None:
        self.store, self.log, self.lease = start.store, start.sync_log, start.lease
        self.include_confirmed = start.include_confirmed
        self.full = full
        self.page_size = page_size or settings.LETZSHOP_PAGE_SIZE
        self.progress = progress
        self.result = ImportResult(status=ImportStatus.SUCCESS, message="", sync_log_id=self.log.pk)
        self.throttle = Throttle()
        self.tracker = ProgressTracker(store=self.store, log=self.log, include_confirmed=self.include_confirmed)
        self.renew_every = settings.LETZSHOP_IMPORT_LEASE_RENEW_SECONDS
        self.clock = time.perf_counter()
        self.client = None
        self.placeholder_id: int | None = None

    def execute(self) -> ImportResult:
        fatal = ""
        try:
            self.keep_lease()
            credentials = credentials_get(store=self.store)
            self.placeholder_id = placeholder_product_get(store=self.store).pk
            with (
                client_for(credentials=credentials) as self.client,
                bulk_allocations(),
                commits_without_waiting_for_the_disk(),
            ):
                seen = self.walk_unconfirmed()
                if self.include_confirmed:
                    self.walk_confirmed()
                else:
                    self.follow_moved_on(seen)
        except (LetzshopError, CredentialsDecryptionError, LeaseLost, ServiceError) as exc:
            fatal = str(exc)
        except Exception as exc:  # recorded, then raised: nothing fails silently
            self.finish(fatal=f"{exc.__class__.__name__}: {exc}")
            raise
        self.finish(fatal=fatal)
        return self.result

    # -- the steps ---------------------------------------------------------------------------

    def keep_lease(self) -> None:
        """Renew the lease when due (raises LeaseLost if another import took it over)."""
        if self.throttle.due("lease", self.renew_every):
            self.lease = import_lock_renew(store=self.store, lease=self.lease)

    def walk_unconfirmed(self) -> set[str]:
        return self.write_pages(*self.walk(STATE_UNCONFIRMED))

    def walk_confirmed(self) -> None:
        self.write_pages(*self.walk(STATE_CONFIRMED))

    def follow_moved_on(self, seen: set[str]) -> None:
        """Shipments stored as unconfirmed that the walk did not see were confirmed or declined
        on Letzshop: find them among the confirmed ones (stopping once all are found)."""
        # The stored ones read whole and the seen ones taken out here: a NOT IN of every shipment
        # seen (thousands of parameters) cost the database more than reading the ids.
        moved_on = (
            set(
                LetzshopOrder.objects.filter(store=self.store, letzshop_state=STATE_UNCONFIRMED)
                .order_by()
                .values_list("letzshop_shipment_id", flat=True)
            )
            - seen
        )
        if not moved_on:
            return

        walk = self.pages(STATE_CONFIRMED, needs_fetch=lambda shipment: shipment.id in moved_on, adaptive=False)
        self.write_pages(walk, whole=False, only=moved_on)

    def finish(self, *, fatal: str) -> None:
        _finish(store=self.store, log=self.log, result=self.result, fatal=fatal, clock=self.clock)
        import_lock_release(store=self.store, lease=self.lease)

    # -- the pages ---------------------------------------------------------------------------

    def walk(self, state: str) -> tuple[PagesWalk, bool]:
        """The state's walk, for the client that will make it (the fetch process's own), and
        whether it fetches whole pages from the start (nothing known yet: no probe)."""
        known = {} if self.full else known_digests(store=self.store, state=state)
        needs_fetch = probe_changed(known) if known else None
        return self.pages(state, needs_fetch=needs_fetch, adaptive=True), needs_fetch is None

    def pages(self, state: str, *, needs_fetch: Callable[[ShipmentState], bool] | None, adaptive: bool) -> PagesWalk:
        """A walk of the state's pages at the run's page size and the probe size of the settings,
        for the client that will make it."""

        def walk(client) -> Iterator[PageWork]:
            return pages_walk(
                client,
                state=state,
                page_size=self.page_size,
                needs_fetch=needs_fetch,
                adaptive=adaptive,
                probe_size=settings.LETZSHOP_PROBE_PAGE_SIZE,
            )

        return walk

    def write_pages(self, walk: PagesWalk, whole: bool, only: set[str] | None = None) -> set[str]:
        """Write the pages; with ``only``, just those shipments, stopping once all are seen.
        Returns the ids of the shipments the pages held. ``whole``: the walk fetches whole
        pages (not probes), worth a fetch process."""
        seen: set[str] = set()

        def prepare(work: PageWork) -> PageWork:  # where the pages are fetched
            work = work.read()
            wanted = [s for s in work.shipments if only is None or s.id in only]
            skipped = 0
            if work.wanted is not None:
                kept = [s for s in wanted if s.id in work.wanted]
                skipped, wanted = len(wanted) - len(kept), kept
            # The rows go to the writer, not the shipments they were mapped from.
            return replace(work, shipments=(), mapped=shipments_map(wanted), skipped=skipped if only is None else 0)

        with self.fetched(walk, prepare, in_process=whole and fetch_process_usable()) as batches:
            for batch in batches:
                page = MappedPage()
                for work in batch:
                    seen.update(work.seen)
                    if work.mapped:
                        page.extend(work.mapped)
                if page.shipments or page.errors:
                    outcome = mapped_page_write(store=self.store, page=page, placeholder_id=self.placeholder_id)
                    _add(self.result, outcome)
                if only is None:
                    self.result.orders_unchanged += sum(
                        len(work.seen) if not work.fetched else work.skipped for work in batch
                    )
                self.result.pages += len(batch)
                self.keep_lease()
                _report_progress(
                    log=self.log,
                    result=self.result,
                    progress=self.progress,
                    throttle=self.throttle,
                    tracker=self.tracker,
                )
                if only is not None and only <= seen:
                    break
        return seen

    @contextmanager
    def fetched(self, walk: PagesWalk, prepare: PagePrepare, *, in_process: bool) -> Iterator[Iterator[list[PageWork]]]:
        """The pages of ``walk``, mapped by ``prepare``, in batches, fetched ahead of the
        writing: ``in_process``, in the fetch process (it maps at once with the writing), else
        in a thread of this process. A walk of probes has little to map and goes to the thread:
        the fork and the pickling would cost more than they save (docs/import.md)."""
        idle_every = min(self.renew_every, 1.0)
        process = FetchProcess(self.client, walk, prepare) if in_process else None
        if process is not None:
            try:
                process.start()
            except OSError as error:  # no fork now (memory, the process limit): the thread does it
                logger.warning("could not start the import's fetch process (%s): fetching in a thread", error)
                process = None
        if process is None:
            with prefetched(
                (prepare(work) for work in walk(self.client)),
                depth=PREFETCH_PAGES,
                batch_shipments=BATCH_SHIPMENTS,
                idle=self.keep_lease,
                idle_every=idle_every,
                cancel=self.client.cancel,
                resume=self.client.resume,
            ) as batches:
                yield batches
            return
        try:
            yield process.batches(batch_shipments=BATCH_SHIPMENTS, idle=self.keep_lease, idle_every=idle_every)
        finally:
            process.wait()  # killed first if it still runs: it never outlives the run


def _add(result: ImportResult, outcome: PageOutcome) -> None:
    result.orders_imported += outcome.imported
    result.orders_updated += outcome.updated
    result.orders_unchanged += outcome.unchanged
    result.exceptions_created += outcome.exceptions_created
    result.errors += outcome.errors
    result.changes += outcome.changes


class Throttle:
    """Says when a periodic write is due again, so that a fast import does not write its
    progress and renew its lease after every page (each an extra commit)."""

    def __init__(self) -> None:
        self.last: dict[str, float] = {}

    def due(self, name: str, every: float) -> bool:
        now = time.monotonic()
        if now - self.last.get(name, float("-inf")) < every:
            return False
        self.last[name] = now
        return True


class ProgressTracker:
    """The estimate of the time left: the shipments expected (as many as the store's last
    completed import went through, or as many as it has in the states walked, whichever is more)
    against the pace so far. None while nothing is known (a first import) or once the run
    passed what was expected."""

    def __init__(self, *, store: Store, log: LetzshopSyncLog, include_confirmed: bool) -> None:
        self.include_confirmed = include_confirmed
        states = [STATE_UNCONFIRMED, STATE_CONFIRMED] if include_confirmed else [STATE_UNCONFIRMED]
        known = LetzshopOrder.objects.filter(store=store, letzshop_state__in=states).count()
        last = (
            LetzshopSyncLog.objects.filter(
                store=store, operation_type=LetzshopSyncLog.Operation.ORDER_IMPORT, status=SyncRunStatus.SUCCESS
            )
            .exclude(pk=log.pk)
            .order_by("-started_at", "-id")
            .values_list("details", flat=True)
            .first()
        )
        before = 0
        if last and not include_confirmed:
            before = sum(int(last.get(name, 0) or 0) for name in ("imported", "updated", "unchanged"))
        self.expected = max(known, before)
        self.started = time.monotonic()

    def snapshot(self, done: int) -> dict[str, Any]:
        elapsed = time.monotonic() - self.started
        left = None
        if self.expected and 0 < done < self.expected and elapsed > 0:
            left = round((self.expected - done) * elapsed / done)
        return {"expected": self.expected or None, "elapsed_seconds": round(elapsed), "seconds_left": left}


def _report_progress(
    *,
    log: LetzshopSyncLog,
    result: ImportResult,
    progress: ProgressCallback | None,
    throttle: Throttle,
    tracker: ProgressTracker,
) -> None:
    """The run's progress: to the sync log row (at most every PROGRESS_WRITE_SECONDS, for
    pages that poll it) and to the caller's callback (every page)."""
    done = result.orders_imported + result.orders_updated + result.orders_unchanged
    snapshot = {
        "pages": result.pages,
        "shipments": done,
        "imported": result.orders_imported,
        "updated": result.orders_updated,
        "unchanged": result.orders_unchanged,
        "exceptions_created": result.exceptions_created,
        "errors": len(result.errors),
        **tracker.snapshot(done),
    }
    if throttle.due("progress", PROGRESS_WRITE_SECONDS):
        details = {"progress": snapshot, "include_confirmed": tracker.include_confirmed}
        LetzshopSyncLog.objects.filter(pk=log.pk).update(details=details)
    if progress:
        progress(snapshot)


def _finish(*, store, log, result: ImportResult, fatal: str, clock: float) -> None:
    done = result.orders_imported + result.orders_updated + result.orders_unchanged
    if fatal:
        result.errors.append({"error": fatal})
        result.status = ImportStatus.PARTIAL if done else ImportStatus.FAILED
        if done:
            result.message = gettext("Import stopped after %(count)d shipments: %(error)s") % {
                "count": done,
                "error": fatal,
            }
        else:
            result.message = gettext("Import failed: %(error)s") % {"error": fatal}
    else:
        result.status = ImportStatus.PARTIAL if result.errors else ImportStatus.SUCCESS
        counts = {"imported": result.orders_imported, "updated": result.orders_updated, "failed": len(result.errors)}
        if result.errors:
            result.message = (
                gettext("Import completed: %(imported)d imported, %(updated)d updated, %(failed)d failed") % counts
            )
        else:
            result.message = gettext("Import completed: %(imported)d imported, %(updated)d updated") % counts
    completed_at = timezone.now()
    elapsed = time.perf_counter() - clock
    LetzshopSyncLog.objects.filter(pk=log.pk).update(
        status=result.status.value,
        completed_at=completed_at,
        duration_seconds=round(elapsed),
        duration_ms=round(elapsed * 1000),
        records_processed=done + len([e for e in result.errors if "shipment_id" in e]),
        records_succeeded=done,
        records_failed=len([e for e in result.errors if "shipment_id" in e]),
        error_details=result.errors or None,
        details={
            "imported": result.orders_imported,
            "updated": result.orders_updated,
            "unchanged": result.orders_unchanged,
            "exceptions_created": result.exceptions_created,
            "pages": result.pages,
            "message": result.message,
            **_changes_logged(result.changes),
        },
    )
    StoreLetzshopCredentials.objects.filter(store=store).update(
        last_sync_at=completed_at,
        last_sync_status=result.status.value,
        last_sync_error=fatal or "; ".join(e.get("error", "") for e in result.errors[:5]),
    )
    import_run_ended(store=store, sync_log_id=log.pk, result=result, seconds=elapsed, error=fatal)


CHANGES_LOGGED = 200


def _changes_logged(changes: list[dict[str, Any]]) -> dict[str, Any]:
    """What the updated shipments changed, for the sync log: how many shipments changed each
    field, and the first CHANGES_LOGGED shipments with their fields."""
    if not changes:
        return {}
    counts: dict[str, int] = {}
    for change in changes:
        for name in change["fields"]:
            counts[name] = counts.get(name, 0) + 1
    return {"changed_fields": counts, "changes": changes[:CHANGES_LOGGED]}
