"""The chat model's command decoding: whatever the weights say, what comes out is a command of this store."""

from __future__ import annotations

import pytest

from assistant.commands import SessionState
from assistant.understand.command_text import parse_commands
from assistant.understand.grammar import command_grammar
from assistant.understand.parser import CommandParser, HFStepper
from assistant.understand.prompt import user_turn
from assistant.understand.validate import StoreNames
from data import DEMO_DIR
from data.load import load_catalog

pytestmark = pytest.mark.e2e  # loads the real chat model


@pytest.fixture(scope="module")
def parts(real_model_dir):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from assistant.generation.engine_model import FastLlama

    catalog = load_catalog(DEMO_DIR / "catalog.jsonl").records
    names = StoreNames.of(catalog, ["account", "payment_methods", "refunds", "returns", "shipping"])
    tokenizer = AutoTokenizer.from_pretrained(real_model_dir)
    model = AutoModelForCausalLM.from_pretrained(real_model_dir, dtype=torch.float32).eval()
    return names, tokenizer, model, FastLlama(model, dtype=torch.float32), {p.id: (p.title, p.price) for p in catalog}


def test_even_the_untuned_model_writes_only_commands_with_the_stores_names(parts):
    names, tokenizer, _, fast, titles = parts
    parser = CommandParser(fast, tokenizer, command_grammar(names), eos_ids={tokenizer.eos_token_id})
    for message in ("trail runners under 100 but not from Stride", "where is my order?", "asdf qwerty"):
        commands = parse_commands(parser.write(user_turn(SessionState(), titles, message)))
        for command in commands:
            brands = getattr(command, "brands", ()) + getattr(command, "exclude_brands", ())
            assert set(brands) <= set(names.brands)
            assert getattr(command, "category", None) in (None, *names.categories)


def test_the_generic_forward_writes_what_the_fast_engine_writes(parts):
    names, tokenizer, model, fast, titles = parts
    grammar = command_grammar(names)
    turn = user_turn(SessionState(), titles, "do you sell tents?")
    fast_text = CommandParser(fast, tokenizer, grammar, eos_ids={tokenizer.eos_token_id}).write(turn)
    hf_text = CommandParser(HFStepper(model), tokenizer, grammar, eos_ids={tokenizer.eos_token_id}).write(turn)
    assert fast_text == hf_text and parse_commands(fast_text)
