"""Throwaway database servers on loopback ports, for the tests and benchmarks of a multi-replica deployment.

    with postgres(tmp) as pg:                  # initdb + pg_ctl of Debian's `postgresql` package
        url = pg.url                           # postgresql+psycopg://postgres@127.0.0.1:PORT/postgres
        pg.restart()                           # a fault: every open connection is cut
    with chroma_server(tmp) as chroma:         # `chroma run` of the installed chromadb
        chroma.address                         # "127.0.0.1:PORT" for SHOPASSIST_RETRIEVAL__CHROMA_SERVER

PostgreSQL refuses to run as root, so as root its files belong to the `postgres` user and its
commands run as that user. `available()` says why a server cannot start here (None when it can).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {timeout:.0f} s")


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian keeps them under /usr/lib/postgresql/N/bin)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    return versions[-1].parent if versions else None


def available() -> dict[str, str | None]:
    """Why each server cannot start on this machine; None where it can."""
    chroma = Path(sys.executable).with_name("chroma")
    return {
        "postgres": None if postgres_bin() else "PostgreSQL is not installed (apt-get install postgresql)",
        "chroma": None if chroma.exists() else f"{chroma} is missing (pip install chromadb)",
    }


@dataclass
class Postgres:
    folder: Path
    port: int
    bin: Path

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-l", str(self.folder / "log"), "-w", "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=on", "start")
        _wait_for_port(self.port, 30)

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", mode, "-w", "stop")

    def restart(self, down_s: float = 0.0) -> None:
        """Stop (cutting every connection), stay down `down_s` seconds, start again."""
        self.stop()
        time.sleep(down_s)
        self.start()


@contextlib.contextmanager
def postgres(parent: Path | None = None, port: int | None = None) -> Iterator[Postgres]:
    """A fresh PostgreSQL cluster (trust auth, loopback only), removed afterwards."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise RuntimeError(available()["postgres"])
    folder = Path(tempfile.mkdtemp(prefix="shopassist-pg-", dir=parent))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = Postgres(folder, port or free_port(), bin_dir)
    try:
        server._run("initdb", "-D", str(folder / "data"), "-A", "trust", "-U", "postgres", "--no-sync")
        server.start()
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class ChromaServer:
    folder: Path
    port: int
    process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        chroma = Path(sys.executable).with_name("chroma")
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        self.process = subprocess.Popen([str(chroma), "run", "--path", str(self.folder / "data"), "--host", "127.0.0.1",
                                         "--port", str(self.port)], env=env, stdout=subprocess.DEVNULL,
                                        stderr=(self.folder / "log").open("ab"))
        _wait_for_port(self.port, 60, self.process)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self, down_s: float = 0.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()


@contextlib.contextmanager
def chroma_server(parent: Path | None = None, port: int | None = None) -> Iterator[ChromaServer]:
    """`chroma run` on a fresh folder, stopped and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="shopassist-chroma-", dir=parent))
    server = ChromaServer(folder, port or free_port())
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
