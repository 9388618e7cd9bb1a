"""What an import answers: its status (an enum), its counts, and a page's outcome."""

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from letzshop.models import SyncRunStatus


class ImportStatus(StrEnum):
    """What an import call answers: a run's outcome (the sync log's statuses), or why none ran."""

    SUCCESS = SyncRunStatus.SUCCESS.value
    PARTIAL = SyncRunStatus.PARTIAL.value
    FAILED = SyncRunStatus.FAILED.value
    RUNNING = SyncRunStatus.RUNNING.value  # handed to a worker, not ended yet
    INTERRUPTED = SyncRunStatus.INTERRUPTED.value  # its process died (closed by the sweep)
    ALREADY_RUNNING = "already_running"  # another import of the store holds the lease


@dataclass
class ImportResult:
    status: ImportStatus
    message: str
    orders_imported: int = 0
    orders_updated: int = 0
    orders_unchanged: int = 0
    exceptions_created: int = 0
    pages: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    sync_log_id: int | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return self.status == SyncRunStatus.SUCCESS

    def as_response(self) -> dict[str, Any]:
        """The import's answer (docs/import.md), with every count."""
        return {
            "success": self.success,
            "message": self.message,
            "orders_imported": self.orders_imported,
            "orders_updated": self.orders_updated,
            "orders_unchanged": self.orders_unchanged,
            "exceptions_created": self.exceptions_created,
            "errors": self.errors,
            "status": self.status,
            "sync_log_id": self.sync_log_id,
        }


@dataclass
class PageOutcome:
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    exceptions_created: int = 0
    exception_gtins: set[str] = field(default_factory=set)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # Per updated shipment: {"shipment_id", "order_number", "fields": [what changed]}.
    changes: list[dict[str, Any]] = field(default_factory=list)
