"""The grammar that holds the chat model's decoding: every reading the store can mean, nothing it cannot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.understand.grammar import command_grammar
from assistant.understand.validate import StoreNames
from data import DEMO_DIR
from data.load import load_catalog

CASES = Path(__file__).resolve().parents[3] / "benchmarks" / "cases" / "commands_heldout.jsonl"


pytestmark = pytest.mark.e2e  # the chat model's tokenizer comes from the converted model folder


@pytest.fixture(scope="module")
def matcher(real_model_dir):
    import llguidance
    import llguidance.hf
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(real_model_dir)
    names = StoreNames.of(load_catalog(DEMO_DIR / "catalog.jsonl").records, ["account", "payment_methods", "refunds", "returns",
                                                                              "shipping"])
    grammar = llguidance.LLMatcher.grammar_from_lark(command_grammar(names))
    tokens = llguidance.hf.from_tokenizer(tokenizer)

    def accepts(text: str) -> bool:
        m = llguidance.LLMatcher(tokens, grammar)
        return all(m.consume_token(t) for t in tokenizer(text, add_special_tokens=False)["input_ids"]) and m.is_accepting()

    return accepts


def test_every_expected_reading_of_the_held_out_set_can_be_written(matcher):
    rows = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]
    assert all(matcher(r["expect"]) for r in rows)


@pytest.mark.parametrize("text", ["search brand=Nike", "search type=submarine cat=toys", 'search type="trail runners" cat=toys',
                                  "policy topic=weather", "order_change", "search max=ten"])
def test_a_name_the_store_does_not_have_cannot_be_written(matcher, text):
    assert not matcher(text)
