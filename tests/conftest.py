"""Shared fixtures: an isolated SHOPASSIST_HOME, a tiny catalog, fake and real models."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.types import Prompt
from data import DEMO_DIR

TINY_CATALOG = [
    {"id": "J1", "title": "Trailform Storm Rain Jacket", "description": "Waterproof breathable rain jacket with taped seams and an adjustable hood for hiking in wet weather.", "category": "jackets", "brand": "Trailform", "price": 89.0, "rating": 4.5, "stock": 12, "tags": ["waterproof", "hiking"]},
    {"id": "J2", "title": "Northpeak Down Parka", "description": "Warm winter parka with 800-fill down insulation for cold city commutes and winter walks.", "category": "jackets", "brand": "Northpeak", "price": 249.0, "rating": 4.7, "stock": 3, "tags": ["winter", "down"]},
    {"id": "H1", "title": "Sonora Aura Noise-Cancelling Headphones", "description": "Over-ear wireless headphones with active noise cancellation and a 30-hour battery for long flights.", "category": "headphones", "brand": "Sonora", "price": 129.0, "rating": 4.4, "stock": 40, "tags": ["wireless", "travel"]},
    {"id": "H2", "title": "Wavely Sport Earbuds", "description": "Sweat-resistant wireless earbuds for the gym with a secure fit and USB-C charging.", "category": "headphones", "brand": "Wavely", "price": 39.0, "rating": 4.0, "stock": 0, "tags": ["sport", "wireless"]},
    {"id": "K1", "title": "Brewline Pour Coffee Maker", "description": "Programmable drip coffee maker with a 1.5-litre glass carafe and a keep-warm plate for morning coffee.", "category": "kitchen", "brand": "Brewline", "price": 59.0, "rating": 4.2, "stock": 25, "tags": ["coffee"]},
    {"id": "S1", "title": "Stride Cloud Running Shoes", "description": "Lightweight running shoes with a cushioned foam midsole and breathable mesh upper for road running.", "category": "shoes", "brand": "Stride", "price": 110.0, "rating": 4.6, "stock": 18, "tags": ["running"]},
]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch) -> Path:
    """Every test gets its own SHOPASSIST_HOME: no test touches the user's cache or index."""
    home = tmp_path / "home"
    monkeypatch.setenv("SHOPASSIST_HOME", str(home))
    return home


@pytest.fixture
def tiny_catalog(tmp_path) -> Path:
    path = tmp_path / "catalog.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in TINY_CATALOG), encoding="utf-8")
    return path


@pytest.fixture
def settings(isolated_home, tiny_catalog) -> Settings:
    return Settings(home=isolated_home, store_dir=DEMO_DIR, retrieval={"catalog": tiny_catalog})


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL for the e2e run (Debian's package; `.ci/run` installs it)."""
    from benchmarks.servers import available, postgres

    if available()["postgres"]:
        pytest.skip(available()["postgres"])
    with postgres() as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A new, empty database on the test server: each test starts from no tables."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return postgres_server.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.e2e)])
def db_url(request, tmp_path) -> str:
    """The stores' tests run on both engines: SQLite in the fast suite, PostgreSQL in the e2e run."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'conversations.db'}"
    return request.getfixturevalue("postgres_url")


class FakeGenerator:
    """Replays fixed tokens and remembers the prompts it was given."""

    def __init__(self, tokens: tuple[str, ...] = ("Happy ", "to ", "help!")) -> None:
        self.tokens = tokens
        self.prompts: list[Prompt] = []

    def stream(self, prompt: Prompt) -> Iterator[str]:
        self.prompts.append(prompt)
        yield from self.tokens


class ScriptedReader:
    """The fast head's place in fast tests: the command lines given for each message, read with full confidence
    (a message it was not given reads as `default`). The real head and chat model are tested in their own files."""

    def __init__(self, lines: dict[str, str] | None = None, default: str = "out_of_scope", *,
                 patterns: tuple[tuple[str, str], ...] = ()) -> None:
        self.lines, self.default = dict(lines or {}), default
        self.patterns = [(re.compile(p, re.I), template) for p, template in patterns]  # (regex, lines with {1}, {2}...)
        self.seen: list[tuple[str, str]] = []

    def read(self, state_text: str, message: str):
        from assistant.understand.command_text import parse_commands
        from assistant.understand.head import Reading

        self.seen.append((state_text, message))
        text = self.lines.get(message)
        for pattern, template in self.patterns if text is None else ():
            if match := pattern.fullmatch(message):
                text = template.format(None, *match.groups())
                break
        return Reading(parse_commands(text or self.default), confidence=1.0)


def scripted_understander(catalog: dict, policies: dict[str, str], reader: ScriptedReader | None = None):
    from assistant.understand import Understander
    from assistant.understand.validate import StoreNames

    names = StoreNames.of(catalog.values(), [t for t in policies if t != "retention_offers"])
    return Understander(reader or ScriptedReader(), None, names, {p.id: (p.title, p.price) for p in catalog.values()})


@pytest.fixture(scope="session")
def real_model_dir(tmp_path_factory) -> Path:
    """The packaged GGUF converted once per test session (about 20 s on 2 CPU cores)."""
    from assistant.generation.model import resolve_model_dir

    home = tmp_path_factory.mktemp("model-home")
    return resolve_model_dir(Settings(home=home))


@pytest.fixture(scope="session")
def embedder():
    from retrieval.embed import load_embedder

    return load_embedder()


_RETRIEVERS: dict[str, object] = {}  # catalog text -> retriever: the index is built once per test run


def shared_retriever(settings: Settings):
    """The real retriever over this catalog, built once (embedding and Chroma cost seconds per build)."""
    import tempfile

    from assistant.deps import product_search

    key = settings.retrieval.catalog.read_text()
    if key not in _RETRIEVERS:
        home = Path(tempfile.mkdtemp(prefix="shopassist-ui-index-"))
        _RETRIEVERS[key] = product_search(settings.model_copy(update={"home": home}))
    return _RETRIEVERS[key]


_PROFILE_BOOKS: dict[int, object] = {}  # id(retriever) -> the demo store's profiles, churn model fitted once per run


def demo_profiles(catalog: dict):
    """A fresh copy of the demo store's profile book: tests change profiles, and fitting churn costs seconds."""
    import copy

    from assistant.customers.profile import load_profile_book

    key = id(catalog)
    if key not in _PROFILE_BOOKS:
        _PROFILE_BOOKS[key] = load_profile_book(DEMO_DIR, catalog)
    return copy.deepcopy(_PROFILE_BOOKS[key], {id(catalog): catalog})  # the copy shares the catalog, as in serving


_POLICY_INDEX: list = []  # the demo policies' sentences, embedded once per run (the index is read-only)


def demo_policy_index(policies: dict[str, str], embedder):
    from assistant.policies import PolicyIndex

    if not _POLICY_INDEX:
        _POLICY_INDEX.append(PolicyIndex.build(policies, embedder))
    return _POLICY_INDEX[0]


def make_deps(settings: Settings, *, reader: ScriptedReader | None = None, generator=None):
    from assistant.deps import Deps
    from data.load import load_policies

    retriever = shared_retriever(settings)
    policies = load_policies(DEMO_DIR / "policies")
    return Deps(settings=settings, understander=scripted_understander(retriever.catalog, policies, reader), retriever=retriever,
                profiles=demo_profiles(retriever.catalog), generator=generator or FakeGenerator(),
                policies=policies, policy_index=demo_policy_index(policies, retriever.store.embedder))


@pytest.fixture
def deps(settings):
    return make_deps(settings)


def pytest_collection_modifyitems(config, items):
    """The default run is the fast suite: a test that loads the real chat model must carry the e2e mark."""
    unmarked = [item.nodeid for item in items
                if "real_model_dir" in item.fixturenames and item.get_closest_marker("e2e") is None]
    if unmarked:
        raise pytest.UsageError("tests that load the real chat model need @pytest.mark.e2e: " + ", ".join(unmarked))


# What the scale-out and load benchmarks' fake replicas understand: the few messages those benchmarks send.
REPLICA_READER = ScriptedReader(
    {"show me rain jackets": 'search type="rain jacket" cat=jackets', "which one is cheapest?": "ask about=cheapest",
     "yes": "confirm", "where is my order?": "order_status", "hi there!": "greet"},
    default="search words=jacket", patterns=((r"please cancel my order (\w+)", "order_change kind=cancel id={1}"),))
