"""`make run` stops before starting anything when a port it needs is taken, and names it."""

import os
import socket
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_script(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "scripts/run.sh"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "x" * 60, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("taken", ["PORT", "SANDBOX_PORT"])
def test_a_taken_port_is_named_and_nothing_starts(taken):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        busy = holder.getsockname()[1]
        ports = {"PORT": str(free_port()), "SANDBOX_PORT": str(free_port()), taken: str(busy)}
        result = run_script(HOST="127.0.0.1", **ports)

    assert result.returncode == 1
    assert f"Port {busy}" in result.stderr
    assert f"{taken}=" in result.stderr  # how to choose another
    assert "Serving on" not in result.stdout
    assert "migrat" not in (result.stdout + result.stderr).lower()
