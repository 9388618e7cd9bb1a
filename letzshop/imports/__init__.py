"""Order import: every shipment of a store in, exactly once, matched to the catalog by GTIN
(docs/import.md).

A small pipeline, one module per job:

- ``lease``: one import per store at a time, a lease the running import renews;
- ``fetch``: a state's pages walked to the last one (probed first on a re-import), fetched and
  mapped in a thread ahead of the writer;
- ``match``: shipments mapped to rows, their items matched to the catalog by GTIN;
- ``write``: each page (or batch of pages) in one transaction of bulk statements;
- ``run``: a run begun where it is asked for and run in a worker, its steps in order
  (``ImportRun``), its progress and result in its sync log row;
- ``sweep``: runs whose process died, closed as interrupted and started again;
- ``outcomes``: what an import answers.
"""

from letzshop.imports.fetch import PageWork, prefetched
from letzshop.imports.lease import (
    LeaseLost,
    import_lock_acquire,
    import_lock_claim,
    import_lock_release,
    import_lock_renew,
)
from letzshop.imports.match import MappedPage, shipments_map
from letzshop.imports.outcomes import ImportResult, ImportStatus, PageOutcome
from letzshop.imports.run import (
    ImportRun,
    ImportStart,
    ProgressTracker,
    import_begin,
    import_dispatch,
    import_result_of,
    import_resume,
    import_run,
    import_wait,
    orders_import,
)
from letzshop.imports.sweep import imports_sweep
from letzshop.imports.write import mapped_page_write, shipments_page_upsert

__all__ = [
    "ImportResult",
    "ImportRun",
    "ImportStart",
    "ImportStatus",
    "LeaseLost",
    "MappedPage",
    "PageOutcome",
    "PageWork",
    "ProgressTracker",
    "import_begin",
    "import_dispatch",
    "import_lock_acquire",
    "import_lock_claim",
    "import_lock_release",
    "import_lock_renew",
    "import_result_of",
    "import_resume",
    "import_run",
    "import_wait",
    "imports_sweep",
    "mapped_page_write",
    "orders_import",
    "prefetched",
    "shipments_map",
    "shipments_page_upsert",
]
