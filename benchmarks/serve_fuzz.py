"""Bad input: fuzz the published /v1 schema with schemathesis; no request may get a 5xx.

    .venv/bin/python -m benchmarks.serve_fuzz --max-examples 60

A real uvicorn server (real retriever over the tiny test catalog, real store, fake generation so
thousands of chat requests stay fast); schemathesis generates valid and invalid requests from
/openapi.json. The server's own /metrics count every request by status. Last stdout line: JSON.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
KEY = "k-fuzz-0123456789abcdef"


def fuzz(max_examples: int, seed: int = 7) -> dict:
    sys.path.insert(0, str(REPO))
    from assistant.settings import Settings
    from data import DEMO_DIR
    from tests.conftest import TINY_CATALOG
    from tests.ui.conftest import ServerThread, make_deps
    from ui.app import create_app

    home = Path(tempfile.mkdtemp(prefix="shopassist-fuzz-"))
    catalog = home / "catalog.jsonl"
    catalog.write_text("".join(json.dumps(r) + "\n" for r in TINY_CATALOG))
    settings = Settings(home=home, store_dir=DEMO_DIR, retrieval={"catalog": catalog},
                        serve={"api_keys": [KEY], "rate_limit_per_minute": 0})
    with ServerThread(create_app(settings, make_deps(settings))) as server:
        run = subprocess.run([str(REPO / ".venv" / "bin" / "st"), "run", f"{server.url}/openapi.json",
                              "--checks", "not_a_server_error", "--max-examples", str(max_examples), "--seed", str(seed),
                              "--continue-on-failure", "-H", f"Authorization: Bearer {KEY}"],
                             capture_output=True, text=True, timeout=3000)
        metrics = httpx.get(f"{server.url}/metrics").text
    by_status: dict[str, float] = {}
    for route, status, value in re.findall(r'shopassist_http_requests_total\{route="([^"]*)",status="(\d+)"\} ([\d.]+)', metrics):
        if route.startswith("/v1"):
            by_status[status] = by_status.get(status, 0) + float(value)
    print(run.stdout[-3000:])
    return {"requests": int(sum(by_status.values())), "by_status": {k: int(v) for k, v in sorted(by_status.items())},
            "server_errors_5xx": int(sum(v for k, v in by_status.items() if k.startswith("5"))),
            "schemathesis_exit": run.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=60)
    args = parser.parse_args()
    print(json.dumps(fuzz(args.max_examples)))


if __name__ == "__main__":
    main()
