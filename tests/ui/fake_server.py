"""A ShopAssist server with slow fake generation, for crash tests in a subprocess.

    python -m tests.ui.fake_server --port 8765 --catalog tiny.jsonl --token-delay 0.2
(SHOPASSIST_HOME decides where the conversation database lives.)
"""

from __future__ import annotations

import argparse
import time

from assistant.settings import Settings
from data import DEMO_DIR


class SlowGenerator:
    def __init__(self, delay: float) -> None:
        self.delay = delay

    def stream(self, prompt):
        for word in ("Let ", "me ", "look ", "that ", "up ", "for ", "you ", "right ", "now, ", "one ", "moment."):
            time.sleep(self.delay)
            yield word


def main() -> None:
    import uvicorn

    from tests.conftest import make_deps
    from ui.app import create_app

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--catalog", required=True)
    parser.add_argument("--token-delay", type=float, default=0.2)
    args = parser.parse_args()
    settings = Settings(store_dir=DEMO_DIR, retrieval={"catalog": args.catalog})
    app = create_app(settings, make_deps(settings, generator=SlowGenerator(args.token_delay)))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
