"""Real servers for the tests about processes: ``manage.py runserver`` in a child process on a free
port, a Celery worker with beat on the test database, and a TCP relay in front of PostgreSQL that
a test can cut to lose the database."""

import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection


def free_port() -> int:
    """A port nothing listens on (to point a client at a server that is not there)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def child_database_url(*, port: int | None = None) -> str:
    """The test database, as a URL a child process can use (through ``port`` if given)."""
    db = connection.settings_dict
    if "sqlite" in db["ENGINE"]:
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{port or db['PORT'] or 5432}/{db['NAME']}"


def request(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict | None = None):
    """(status, headers, body) of one HTTP request, whatever the status."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _listening_port(pid: int) -> int | None:
    """The TCP port process ``pid`` listens on (runserver is given port 0 and picks one)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                return int(fields[1].rsplit(":", 1)[1], 16)
    return None


@contextmanager
def runserver(tmp_path: Path, **env_vars: str):
    """``manage.py runserver`` (threaded, no reloader, DEBUG off) on a free port; yields its base URL."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "VAR_DIR": str(tmp_path),
        "LETZSHOP_ALLOWED_HOSTS": ",".join(settings.LETZSHOP_ALLOWED_HOSTS),
        **env_vars,
    }
    log_path = tmp_path / f"runserver-{time.monotonic_ns()}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "127.0.0.1:0", "--noreload", "--skip-checks"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while (port := _listening_port(process.pid)) is None:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("runserver did not start:\n" + log_path.read_text()[-5000:])
                time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


class TcpRelay:
    """Relays a free local port to ``target``; ``cut()`` drops every connection and refuses new
    ones (the database is lost), ``restore()`` lets them through again."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.cut_off = threading.Event()
        self.stopped = threading.Event()
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.cut_off.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, upstream}
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, client: socket.socket, upstream: socket.socket) -> None:
        pair = {client: upstream, upstream: client}
        try:
            while not self.cut_off.is_set():
                ready, _, _ = select.select(list(pair), [], [], 0.2)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    pair[sock].sendall(data)
        except OSError:
            pass
        finally:
            for sock in pair:
                with self._lock:
                    self._open.discard(sock)
                sock.close()

    def cut(self) -> None:
        self.cut_off.set()
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def restore(self) -> None:
        self.cut_off.clear()

    def close(self) -> None:
        self.cut()
        self.stopped.set()
        self.listener.close()


def start_worker(
    tmp_path: Path,
    name: str,
    *,
    concurrency: int = 1,
    queues: str = "imports,fulfillment",
    env_extra: dict[str, str] | None = None,
) -> subprocess.Popen:
    """``celery worker --beat`` on the test database, serving ``queues``, sweeping the queue every
    second. A message this process sent to its own broker (memory, or Redis before ``--purge``) is
    lost to the worker: the sweep takes such rows once LETZSHOP_QUEUE_WAKE_LOST_SECONDS have
    passed."""
    broker = settings.CELERY_BROKER_URL
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,  # the key the stored API key was encrypted with
        "DATABASE_URL": child_database_url(),
        "CELERY_BROKER_URL": broker if broker.startswith("redis") else "filesystem://",
        "VAR_DIR": str(tmp_path),  # the filesystem broker's folders
        "LETZSHOP_ALLOWED_HOSTS": ",".join(settings.LETZSHOP_ALLOWED_HOSTS),
        "LETZSHOP_QUEUE_SWEEP_SECONDS": "1",
        "LETZSHOP_QUEUE_STUCK_SECONDS": "3",
        "LETZSHOP_QUEUE_WAKE_LOST_SECONDS": "2",
        **(env_extra or {}),
    }
    log = open(tmp_path / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--beat",
            "-Q",
            queues,
            f"--concurrency={concurrency}",
            "--purge",
            "--loglevel=INFO",
            "-n",
            f"{name}@%h",
            "-s",
            str(tmp_path / f"{name}-beat"),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(condition, timeout: float, what: str, logs: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(
        f"timed out waiting for {what}; worker logs:\n"
        + "\n".join(path.read_text()[-3000:] for path in sorted(logs.glob("*.log")))
    )


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    """Stop the worker's whole process group; one slow to shut down warmly (a loaded machine) is killed."""
    for signal_to_send in (sig, signal.SIGKILL):
        try:
            os.killpg(process.pid, signal_to_send)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=20)
            return
        except subprocess.TimeoutExpired:
            continue
    process.wait(timeout=20)
