"""Faults: kill -9 a running server in the middle of a streamed reply, restart it, count messages.

    .venv/bin/python -m benchmarks.serve_faults                 # real `shopassist serve` (real model)
    .venv/bin/python -m benchmarks.serve_faults --turns 10 --fake   # slow fake generator (tests use this)

A user message counts as acknowledged once the first SSE chunk arrived (the server commits it to
the conversation store before streaming). Last stdout line: JSON with acknowledged/found counts.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
USER = "C0007"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command: list[str], env: dict, port: int, timeout: float = 300) -> subprocess.Popen:
    log = tempfile.TemporaryFile()  # a file, not a pipe: a long run's log would fill a pipe nobody reads and stall the server
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"server exited: {log.read().decode()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("server did not become healthy")


def stream_turn(base: str, text: str, session: str | None, *, stop_after_first: bool = False) -> tuple[bool, str | None]:
    """(acknowledged, session id). With stop_after_first, returns while the reply is still streaming."""
    body = {"messages": [{"role": "user", "content": text}], "user": USER, "stream": True}
    if session:
        body["shopassist"] = {"session_id": session}
    acknowledged = False
    with httpx.stream("POST", f"{base}/v1/chat/completions", json=body, timeout=300) as response:
        if response.status_code != 200:
            return False, session
        for line in response.iter_lines():
            if not line.startswith("data: "):
                continue
            acknowledged = True
            if stop_after_first:
                return True, session
            data = line[6:]
            if data != "[DONE]":
                extra = json.loads(data).get("shopassist")
                if extra:
                    session = extra["session_id"]
    return acknowledged, session


def crash_and_count(command: list[str], *, port: int, env: dict, turns: int) -> dict:
    base = f"http://127.0.0.1:{port}"
    server = start(command, env, port)
    acknowledged, session = 0, None
    try:
        for i in range(turns):
            ok, session = stream_turn(base, f"question {i}: do you have rain jackets?", session)
            acknowledged += 2 if ok else 0  # the user message and the finished reply
        ok, _ = stream_turn(base, "last question, cut off mid-reply", session, stop_after_first=True)
        acknowledged += 1 if ok else 0
        os.kill(server.pid, signal.SIGKILL)  # the reply is still streaming
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    restarted = start(command, env, port)
    try:
        found = 0
        for s in httpx.get(f"{base}/v1/users/{USER}/history", timeout=30).json()["sessions"]:
            found += len(httpx.get(f"{base}/v1/sessions/{s['id']}/messages", timeout=30).json()["messages"])
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=30)
    return {"acknowledged": acknowledged, "found_after_restart": found, "lost": max(0, acknowledged - found)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=5)
    parser.add_argument("--fake", action="store_true", help="slow fake generator on the tiny test catalog")
    args = parser.parse_args()
    port = free_port()
    home = Path(tempfile.mkdtemp(prefix="shopassist-faults-"))
    env = dict(os.environ, SHOPASSIST_HOME=str(home))
    env.setdefault("SHOPASSIST_MODEL__MAX_NEW_TOKENS", "48")
    if args.fake:
        sys.path.insert(0, str(REPO))
        from tests.conftest import TINY_CATALOG

        catalog = home / "catalog.jsonl"
        catalog.write_text("".join(json.dumps(r) + "\n" for r in TINY_CATALOG))
        command = [sys.executable, "-m", "tests.ui.fake_server", "--port", str(port), "--catalog", str(catalog)]
    else:
        command = [str(REPO / ".venv" / "bin" / "shopassist"), "serve", "--port", str(port)]
    result = crash_and_count(command, port=port, env=env, turns=args.turns)
    print(json.dumps({"turns_before_kill": args.turns, **result}))


if __name__ == "__main__":
    main()
