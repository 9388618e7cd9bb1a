"""Serve the Letzshop sandbox (sandbox) until Ctrl-C. See docs/sandbox.md."""

from __future__ import annotations

import gc
import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sandbox import DEFAULT_API_KEY, SandboxServer, SandboxState, StoreFleet, fleet_key


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
        parser.add_argument("--retry-after", type=int, default=1, help="seconds in the Retry-After of a 429")
        many = parser.add_argument_group("many stores (docs/sandbox.md)")
        many.add_argument(
            "--stores", type=int, default=0, help="serve this many stores, one key each (--shipments is then per store)"
        )
        many.add_argument("--key-prefix", default="letzshop-store-", help="store N's key is PREFIX + N on 4 digits")
        many.add_argument(
            "--new-per-minute", type=float, default=0.0, help="new unconfirmed shipments per key and minute"
        )
        many.add_argument("--rate-limit", type=int, default=0, help="requests per key in any second; beyond: 429")

    def handle(self, *args: Any, **options: Any) -> None:
        seed: int | str = int(options["seed"]) if options["seed"].lstrip("-").isdigit() else options["seed"]
        if options["stores"] < 0 or options["rate_limit"] < 0 or options["new_per_minute"] < 0:
            raise CommandError("--stores, --rate-limit and --new-per-minute are numbers >= 0")
        if options["stores"]:
            self._serve_fleet(seed, options)
            return
        try:
            state = SandboxState(
                shipments=options["shipments"],
                seed=seed,
                api_key=options["api_key"],
                unmatched_ratio=options["unmatched_ratio"],
                units_per_shipment=options["units_per_shipment"],
                tracking_reads_back=not options["no_tracking_readback"],
                faults=_faults(options),
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
        self._serve(server)

    def _serve_fleet(self, seed: int | str, options: dict[str, Any]) -> None:
        try:
            fleet = StoreFleet(
                stores=options["stores"],
                shipments=options["shipments"],
                seed=seed,
                key_prefix=options["key_prefix"],
                unmatched_ratio=options["unmatched_ratio"],
                units_per_shipment=options["units_per_shipment"] or 1,
                new_per_minute=options["new_per_minute"],
                rate_limit=options["rate_limit"],
                faults=_faults(options),
            )
            server = SandboxServer(fleet, host=options["host"], port=options["port"], verbose=options["verbosity"] >= 2)
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        last = fleet_key(options["stores"], options["key_prefix"])
        self.stdout.write(f"Letzshop sandbox at {server.url}, {options['stores']} stores")
        self.stdout.write(f"API keys: {fleet_key(1, options['key_prefix'])} .. {last}")
        self.stdout.write(
            f"Seed: {seed}  shipments per store: {options['shipments']}  new per minute and key: "
            f"{options['new_per_minute']:g}  rate limit per key: {options['rate_limit'] or 'none'}"
        )
        self.stdout.write(f"Control: {server.base_url}/_sandbox/keys  (Ctrl-C to stop)")
        self._serve(server)

    def _serve(self, server: SandboxServer) -> None:
        # The seeded shipments live as long as the process: hundreds of thousands of dicts and
        # lists that every full pass of the garbage collector walked again, while a client waited
        # for its answer (a tenth of a second at a time with 5,000 shipments). Set apart from the
        # collector, they are still freed as usual once nothing refers to them (a reset).
        gc.collect()
        gc.freeze()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")


def _faults(options: dict[str, Any]) -> dict[str, Any]:
    """The faults the command's options ask for, as the sandbox's state takes them."""
    return {name: options[name] for name in ("rate_429", "rate_500", "delay_ms", "bad_key_mode", "retry_after")}
