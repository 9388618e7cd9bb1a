"""Pytest fixtures around the Letzshop sandbox (registered as a plugin by the root conftest)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import SandboxServer, SandboxState


@pytest.fixture
def letzshop_sandbox() -> Iterator[SandboxServer]:
    """A fresh sandbox on a free port of 127.0.0.1: 60 shipments, seed 1, the default key.

    Re-seed with ``letzshop_sandbox.state.reset(...)`` and set faults with
    ``letzshop_sandbox.state.update_faults({...})``.
    """
    server = SandboxServer(SandboxState(shipments=60, seed=1), host="127.0.0.1", port=0).start()
    try:
        yield server
    finally:
        server.stop()
