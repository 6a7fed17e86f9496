"""What a turn needs, loaded once: the models, the product index, the profiles, the store's policies.

    deps = build_deps(get_settings())           # converts the model and builds the index on first run
    service = assistant.turn.build_service(settings, deps)

The turn itself is `assistant/turn.py`, the one path of every front end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from assistant.analytics.experiments import ExperimentBook, Treatment
from assistant.customers.profile import ProfileBook
from assistant.generation.generator import Generator
from assistant.policies import PolicyIndex
from assistant.settings import Settings
from assistant.types import CustomerView
from assistant.understand import Understander
from data.schema import Product

if TYPE_CHECKING:
    from retrieval.constraints import Constraints, Vocabulary
    from retrieval.search import CatalogEvidence, ProductSearch, SearchResult
    from retrieval.store import ProductStore


class Retriever(Protocol):
    """Product search as the turn uses it: `retrieval.search.ProductSearch`, or a wrapper of it (the simulation's cache)."""

    catalog: dict[str, Product]
    vocabulary: Vocabulary
    store: ProductStore

    def search_with_interpretation(self, query: str, k: int, *, view: CustomerView | None = None,
                                   base: Constraints | None = None) -> SearchResult: ...

    def evidence(self, text: str) -> CatalogEvidence: ...

    def with_config(self, **changes: Any) -> Retriever: ...


@dataclass
class Deps:
    settings: Settings
    understander: Understander
    retriever: Retriever
    profiles: ProfileBook
    generator: Generator
    policies: dict[str, str]
    experiments: ExperimentBook = field(default_factory=lambda: ExperimentBook([]))
    policy_index: PolicyIndex | None = None  # the policy sentences, embedded once (built from `policies` when None)
    _variant_retrievers: dict[tuple, Any] = field(default_factory=dict, repr=False, init=False)

    def retriever_for(self, treatment: Treatment) -> Retriever:
        """The retriever a treatment asks for (other fusion or profile weights), built once per variant."""
        changes = dict(treatment.get("fusion") or {})
        if treatment.get("profile_weight") is not None:
            changes["profile_weight"] = treatment.get("profile_weight")
        if not changes:
            return self.retriever
        key = tuple(sorted(changes.items()))
        if key not in self._variant_retrievers:
            self._variant_retrievers[key] = self.retriever.with_config(**changes)
        return self._variant_retrievers[key]


def product_search(settings: Settings, *, progress: bool | Callable[[str], None] = False) -> ProductSearch:
    """The store's product search: its index synced with the catalog, its orders as the popularity prior."""
    from retrieval.search import build_retriever

    return build_retriever(settings.retrieval, settings.index_dir, orders_csv=settings.store_dir / "orders.csv",
                           progress=progress)


def profile_book(settings: Settings, catalog: dict[str, Product]) -> ProfileBook:
    """The store's customer profiles, kept in step with the events and erasures every replica records."""
    from assistant.customers.profile import load_profile_book
    from assistant.customers.profile_log import ProfileLog
    from assistant.customers.profile_types import profile_config
    from assistant.database import database_url, open_database

    book = load_profile_book(settings.store_dir, catalog, home=settings.home, config=profile_config(settings))
    return book.attach(ProfileLog(open_database(database_url(settings))))


def build_deps(settings: Settings, *, progress: Callable[[str], None] | None = None) -> Deps:
    """Load models, data and the index (building or refreshing it on first run)."""
    from assistant.analytics.experiments import load_experiments
    from assistant.generation.generator import ChatGenerator
    from assistant.generation.model import load_chat_model
    from data.load import load_policies

    say = progress or (lambda message: None)
    experiments = load_experiments(settings.experiments.file)  # a bad file fails before models load
    say("loading the product index")
    retriever = product_search(settings, progress=progress is not None)
    say("loading customer profiles")
    profiles = profile_book(settings, retriever.catalog)
    say("loading the chat model")
    loaded = load_chat_model(settings)
    policies = load_policies(settings.store_dir / "policies")
    say("loading understanding")
    return Deps(
        settings=settings,
        understander=build_understander(settings, retriever.catalog, policies),
        retriever=retriever,
        profiles=profiles,
        generator=ChatGenerator(loaded, settings.model),
        policies=policies,
        experiments=experiments,
        policy_index=PolicyIndex.build(policies, retriever.store.embedder),
    )


def build_understander(settings: Settings, catalog: dict[str, Product], policies: dict[str, str], *, head=None,
                       parser=None, untuned: bool = False) -> Understander:
    """Understanding for this store: the fast head and the chat model that writes commands (the shipped ones
    unless given), the store's names to check their slots against, and the card titles they read. `untuned`: the
    base chat model without the command adapter, to measure what tuning adds."""
    from assistant.understand.models import load_head, load_parser
    from assistant.understand.validate import StoreNames

    names = StoreNames.of(catalog.values(), [t for t in policies if t != "retention_offers"])
    head = head if head is not None else load_head(settings)
    parser = parser if parser is not None else load_parser(settings, names, untuned=untuned)
    titles = {p.id: (p.title, p.price) for p in catalog.values()}
    return Understander(head, parser, names, titles, sure=settings.understanding.sure)
