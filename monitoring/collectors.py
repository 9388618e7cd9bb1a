"""Gauges of readiness, read at each scrape (registered in MonitoringConfig.ready())."""

from collections.abc import Iterable

from prometheus_client.core import GaugeMetricFamily, Metric

from monitoring.services import OK, readiness_check


def readiness_metrics() -> Iterable[Metric]:
    readiness = readiness_check()
    ready = GaugeMetricFamily(
        "letzshop_ready", "1 while a readiness check passes (database, broker, beat)", labels=["check"]
    )
    for name, state in readiness.checks.items():
        ready.add_metric([name], 1 if state == OK else 0)
    yield ready
    if readiness.beat_age_seconds is not None:
        yield GaugeMetricFamily(
            "letzshop_beat_heartbeat_age_seconds",
            "Seconds since beat last wrote its heartbeat",
            value=readiness.beat_age_seconds,
        )
