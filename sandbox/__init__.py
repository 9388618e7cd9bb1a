"""A stateful stand-in for Letzshop's GraphQL API, for the demo, the tests and the benchmarks.

Pure Python and graphql-core: importing it needs no Django settings. See docs/sandbox.md.
"""

from .catalog import catalog_gtin14s, catalog_gtins, demo_catalog, gtin14, random_gtin13_outside_catalog
from .fleet import FleetStore, StoreFleet, fleet_key
from .seed import seed_shipments
from .server import SandboxServer
from .state import DEFAULT_API_KEY, DroppedConnection, Faults, SandboxState, sandbox_schema

__all__ = [
    "DEFAULT_API_KEY",
    "DroppedConnection",
    "Faults",
    "FleetStore",
    "SandboxServer",
    "SandboxState",
    "StoreFleet",
    "catalog_gtin14s",
    "catalog_gtins",
    "demo_catalog",
    "fleet_key",
    "gtin14",
    "random_gtin13_outside_catalog",
    "sandbox_schema",
    "seed_shipments",
]
