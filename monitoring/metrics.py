"""/metrics: the counters of every process of the machine, plus gauges read at scrape time.

Counters and histograms (prometheus-client) are kept by the process that counts: with
``PROMETHEUS_MULTIPROC_DIR`` set, each web and worker process writes its own file there and a
scrape adds them all up (prometheus-client's multiprocess mode). Gauges of what the database
holds (queue depth, exceptions pending, each store's last sync) are read when scraped, by the
collectors that the apps register here from their ``AppConfig.ready()`` (a lower app never
imports a higher one: docs/architecture.md).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

ScrapeCollector = Callable[[], Iterable[Metric]]
_collectors: list[ScrapeCollector] = []


def on_scrape(collector: ScrapeCollector) -> ScrapeCollector:
    """Register ``collector() -> metric families``, read at each scrape; idempotent."""
    if collector not in _collectors:
        _collectors.append(collector)
    return collector


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


class _AtScrape:
    """Every registered collector; one that fails (the database is down) is logged and skipped,
    so that the others and the counters still answer."""

    def collect(self) -> Iterable[Metric]:
        for collector in list(_collectors):
            try:
                yield from list(collector())
            except Exception:  # noqa: BLE001 - a scrape must still answer
                logger.exception("metrics collector %s failed", getattr(collector, "__name__", collector))
                failed = GaugeMetricFamily(
                    "letzshop_metrics_collector_failed",
                    "1 when a collector failed at this scrape",
                    labels=["collector"],
                )
                failed.add_metric([getattr(collector, "__name__", "collector")], 1)
                yield failed


class _ThisProcess:
    """The default registry (this process's own counters) when there is no multiprocess folder."""

    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def metrics_render() -> tuple[bytes, str]:
    """The text format of every metric: (body, content type)."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    registry.register(_AtScrape())
    return generate_latest(registry), CONTENT_TYPE_LATEST
