"""One turn through the real pipeline, with a scripted generator and fixed intents."""

from __future__ import annotations

import pytest

from assistant.errors import BadInput, UnknownUser
from assistant.pipeline import Deps, answer, run_turn
from assistant.profile import load_profile_book
from assistant.types import Done, IntentDetected, Products, Token, Turn
from data.load import load_policies
from retrieval.search import build_retriever
from tests.conftest import FakeGenerator, FixedIntent


@pytest.fixture(scope="module")
def retriever_settings(tmp_path_factory):
    import json

    from assistant.settings import DEMO_DIR, Settings
    from tests.conftest import TINY_CATALOG

    root = tmp_path_factory.mktemp("pipeline")
    catalog = root / "catalog.jsonl"
    catalog.write_text("".join(json.dumps(r) + "\n" for r in TINY_CATALOG))
    settings = Settings(home=root / "home", store_dir=DEMO_DIR, retrieval={"catalog": catalog})
    return settings, build_retriever(settings)


def make_deps(retriever_settings, label: str) -> tuple[Deps, FakeGenerator]:
    settings, retriever = retriever_settings
    generator = FakeGenerator()
    deps = Deps(settings=settings, intents=FixedIntent(label), retriever=retriever,
                profiles=load_profile_book(settings.store_dir, retriever.catalog), generator=generator,
                policies=load_policies(settings.store_dir / "policies"))
    return deps, generator


def test_product_search_streams_intent_products_tokens_then_reply(retriever_settings):
    deps, generator = make_deps(retriever_settings, "product_search")
    events = list(run_turn(Turn("waterproof jacket for hiking", user_id="C0001"), deps))
    kinds = [type(e) for e in events]
    assert kinds[:2] == [IntentDetected, Products] and kinds[-1] is Done
    assert [e.text for e in events if isinstance(e, Token)] == ["Happy ", "to ", "help!"]
    reply = events[-1].reply
    assert reply.hits[0].product.id == "J1"
    assert reply.text == "Happy to help!"
    system = generator.prompts[0].messages[0].content
    assert "Trailform Storm Rain Jacket ($89.00" in system
    assert "C0001" not in system and "@" not in system  # no ids or e-mails in the prompt


def test_service_intent_gets_policy_not_products(retriever_settings):
    deps, generator = make_deps(retriever_settings, "delivery_period")
    reply = answer(Turn("how long does shipping take?"), deps)
    assert reply.hits == ()
    assert "3-5 business days" in generator.prompts[0].messages[0].content


def test_unknown_user_and_empty_message_fail_before_generation(retriever_settings):
    deps, generator = make_deps(retriever_settings, "greeting")
    with pytest.raises(UnknownUser):
        answer(Turn("hi", user_id="NOPE"), deps)
    with pytest.raises(BadInput):
        answer(Turn("   "), deps)
    assert generator.prompts == []


def test_history_reaches_the_prompt(retriever_settings):
    from assistant.types import Message

    deps, generator = make_deps(retriever_settings, "goodbye")
    history = (Message("user", "do you sell tents?"), Message("assistant", "Yes, several."))
    answer(Turn("thanks, bye", history=history), deps)
    roles = [m.role for m in generator.prompts[0].messages]
    assert roles == ["system", "user", "assistant", "user"]


def test_an_experiment_variant_changes_the_turn_and_is_reported(retriever_settings):
    from assistant.experiments import parse_experiments

    deps, generator = make_deps(retriever_settings, "product_search")
    at_risk = next(c for c in sorted(deps.profiles.customers) if deps.profiles.view(c).segment in ("at_risk", "lapsed"))
    everyone_gets_code = parse_experiments({"experiment": [
        {"name": "offer", "parameter": "retention_offer", "variant": [
            {"name": "control", "traffic": 0.000001}, {"name": "code", "traffic": 0.999999, "value": "code"}]},
        {"name": "prompt", "parameter": "system_prompt", "variant": [
            {"name": "control", "traffic": 0.000001},
            {"name": "terse", "traffic": 0.999999, "value": "You are the store's terse assistant. One sentence only."}]},
        {"name": "ranking", "parameter": "fusion", "variant": [
            {"name": "control", "traffic": 0.000001}, {"name": "dense", "traffic": 0.999999, "value": {"bm25_weight": 0}}]}]})
    baseline = answer(Turn("waterproof jacket for hiking", user_id=at_risk), deps)
    deps.experiments = everyone_gets_code
    reply = answer(Turn("waterproof jacket for hiking", user_id=at_risk), deps)
    assert baseline.experiments == {} and baseline.offer == "code_or_shipping"
    assert reply.experiments == {"offer": "code", "prompt": "terse", "ranking": "dense"} and reply.offer == "code"
    system = generator.prompts[-1].messages[0].content
    assert system.startswith("You are the store's terse assistant.") and "WELCOME10" in system
    assert "free express shipping" not in system.split("\n\n")[1]  # the guidance names the code only
    assert deps.retriever_for(everyone_gets_code.treatment(at_risk, None)).config.bm25_weight == 0
