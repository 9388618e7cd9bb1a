"""``manage.py metrics_serve --port 9108``: a machine's counters, for a machine that runs only workers.

The web processes answer /metrics with the counters of every process of their own machine
(PROMETHEUS_MULTIPROC_DIR) and the gauges read from the database. A machine that runs only
Celery workers has no web process: this serves its counters alone (no database gauges, which
the web's /metrics already has), for Prometheus to scrape beside the web's.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.multiprocess import MultiProcessCollector

from monitoring.metrics import multiprocess_dir


class Command(BaseCommand):
    help = "Serve this machine's counters (PROMETHEUS_MULTIPROC_DIR) over HTTP, for a machine without a web process."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=9108)
        parser.add_argument("--host", default="127.0.0.1", help="the address to listen on (0.0.0.0: every one)")

    def handle(self, *args, port: int, host: str, **options):
        if not multiprocess_dir():
            raise CommandError("Set PROMETHEUS_MULTIPROC_DIR to the folder the workers of this machine write to.")
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        server, thread = start_http_server(port, addr=host, registry=registry)
        self.stdout.write(f"Serving this machine's counters on http://{host}:{server.server_port}/metrics")
        try:
            while thread.is_alive():
                time.sleep(1)
        except KeyboardInterrupt:
            server.shutdown()
