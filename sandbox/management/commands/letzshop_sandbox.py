"""Serve the Letzshop sandbox (sandbox) until Ctrl-C. See docs/sandbox.md."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox import DEFAULT_API_KEY, SandboxServer, SandboxState


def _probability(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Serve a stateful stand-in for Letzshop's GraphQL API at http://HOST:PORT/graphql."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--shipments", type=int, default=200, help="number of seeded shipments")
        parser.add_argument("--seed", default="1", help="the same seed gives the same shipments")
        parser.add_argument("--api-key", default=DEFAULT_API_KEY, help="the key clients must send as Bearer")
        parser.add_argument(
            "--unmatched-ratio",
            type=_probability,
            default=0.3,
            help="share of shipments with at least one item whose GTIN is not in the demo catalog",
        )
        parser.add_argument("--units-per-shipment", type=int, default=None, help="exact units per shipment")
        parser.add_argument(
            "--no-tracking-readback",
            action="store_true",
            help="do not show a tracking set through the API in later answers (as Letzshop may)",
        )
        parser.add_argument("--rate-429", type=_probability, default=0.0, help="probability of an HTTP 429")
        parser.add_argument("--rate-500", type=_probability, default=0.0, help="probability of an HTTP 500")
        parser.add_argument("--delay-ms", type=int, default=0, help="delay added to every GraphQL answer")
        parser.add_argument("--bad-key-mode", choices=("401", "200"), default="401", help="how a wrong key is answered")

    def handle(self, *args: Any, **options: Any) -> None:
        seed: int | str = int(options["seed"]) if options["seed"].lstrip("-").isdigit() else options["seed"]
        try:
            state = SandboxState(
                shipments=options["shipments"],
                seed=seed,
                api_key=options["api_key"],
                unmatched_ratio=options["unmatched_ratio"],
                units_per_shipment=options["units_per_shipment"],
                tracking_reads_back=not options["no_tracking_readback"],
                faults={
                    "rate_429": options["rate_429"],
                    "rate_500": options["rate_500"],
                    "delay_ms": options["delay_ms"],
                    "bad_key_mode": options["bad_key_mode"],
                },
            )
            server = SandboxServer(state, host=options["host"], port=options["port"], verbose=options["verbosity"] >= 2)
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        if options["verbosity"] >= 2:
            logging.getLogger("sandbox").setLevel(logging.INFO)
        summary = state.summary()
        self.stdout.write(f"Letzshop sandbox at {server.url}")
        self.stdout.write(f"API key: {options['api_key']}")
        self.stdout.write(f"Seed: {seed}  shipments: {summary['shipments']}  by state: {summary['by_state']}")
        self.stdout.write(f"Control: {server.base_url}/_sandbox/state  (Ctrl-C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
