"""A ShopAssist server with slow fake generation, for crash tests in a subprocess.

    python -m tests.ui.fake_server --port 8765 --catalog tiny.jsonl --token-delay 0.2
    python -m tests.ui.fake_server --port 8765 --replica     # a scale-out replica (benchmarks/scaleout.py --fake)
(SHOPASSIST_HOME decides where the conversation database lives.) A replica takes every store from the settings
(env): the configured database, index or Chroma server and the shared profile log; only intent and generation
are fake.
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
    parser.add_argument("--catalog")
    parser.add_argument("--replica", action="store_true", help="the configured stores, not the tests' demo ones")
    parser.add_argument("--token-delay", type=float, default=0.2)
    args = parser.parse_args()
    if args.replica:
        settings = Settings()
        deps = replica_deps(settings, SlowGenerator(args.token_delay))
    else:
        settings = Settings(store_dir=DEMO_DIR, retrieval={"catalog": args.catalog})
        deps = make_deps(settings, generator=SlowGenerator(args.token_delay))
    uvicorn.run(create_app(settings, deps), host="127.0.0.1", port=args.port, log_level="warning")


def replica_deps(settings: Settings, generator):
    """What `shopassist serve` builds from the settings, with scripted understanding and `generator`."""
    from assistant.deps import Deps, product_search, profile_book
    from assistant.policies import PolicyIndex
    from data.load import load_policies
    from tests.conftest import REPLICA_READER, scripted_understander

    retriever = product_search(settings)
    policies = load_policies(settings.store_dir / "policies")
    return Deps(settings=settings, understander=scripted_understander(retriever.catalog, policies, REPLICA_READER),
                retriever=retriever,
                profiles=profile_book(settings, retriever.catalog), generator=generator, policies=policies,
                policy_index=PolicyIndex.build(policies, retriever.store.embedder))


if __name__ == "__main__":
    main()
