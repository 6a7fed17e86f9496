"""ChatGenerator with the real SmolLM2: the fast engine streams what transformers would, long
conversations are cut from the oldest turn, and a closed stream frees its engine slot."""

from __future__ import annotations

import logging
import time

import pytest

from assistant.reply.writer import SYSTEM as DRAFT_RULES
from assistant.settings import ModelSettings, Settings
from assistant.types import Message, Prompt

# The draft prompt the turn service builds (the tuned adapter answers a bare question with an intent label).
SYSTEM = DRAFT_RULES + "\n\nFacts:\n- Product 1: Trailform Storm Rain Jacket ($89.00, rated 4.5/5, in stock)"


@pytest.fixture(scope="module")
def loaded(real_model_dir, tmp_path_factory):
    from assistant.generation.model import load_chat_model

    return load_chat_model(Settings(home=tmp_path_factory.mktemp("gen"), model={"base": real_model_dir, "device": "cpu"}))


def generator(loaded, **settings):
    from assistant.generation.generator import ChatGenerator

    return ChatGenerator(loaded, ModelSettings(**settings))


def shop_prompt(*history: Message, user: str = "Which rain jacket would you recommend for hiking?") -> Prompt:
    return Prompt(messages=(Message("system", SYSTEM), *history, Message("user", user)), template="test@1")


@pytest.mark.e2e
def test_fast_engine_streams_the_same_greedy_reply_as_transformers(loaded):
    prompt = shop_prompt()
    fast = generator(loaded, engine="fast", engine_dtype="float32", max_new_tokens=24)
    reference = generator(loaded, engine="hf", max_new_tokens=24)
    pieces = list(fast.stream(prompt))
    assert len(pieces) >= 5
    assert "".join(pieces) == "".join(reference.stream(prompt))


@pytest.mark.e2e
def test_long_conversations_lose_their_oldest_turns_but_keep_the_system_prompt(loaded, caplog):
    gen = generator(loaded, engine="hf", max_context=256, max_new_tokens=32)
    history = []
    for i in range(12):
        history += [Message("user", f"Question {i}: do you sell waterproof boots in size {40 + i}?"),
                    Message("assistant", f"Yes, we have waterproof boots in size {40 + i} in stock.")]
    short = gen.encode(shop_prompt())
    assert not short.truncated
    with caplog.at_level(logging.WARNING, logger="assistant.generation.generator"):
        encoded = gen.encode(shop_prompt(*history))
    assert encoded.truncated and encoded.dropped_messages > 0 and encoded.dropped_tokens == 0
    assert len(encoded.ids) <= 256 - 32
    assert encoded.ids[: len(short.ids) - 20] == short.ids[: len(short.ids) - 20]  # system prompt first, intact
    text = loaded.tokenizer.decode(encoded.ids)
    assert "Question 0:" not in text and "Question 11:" in text and "rain jacket" in text
    assert "dropped the" in caplog.text


@pytest.mark.e2e
def test_an_oversized_last_message_is_cut_keeping_the_system_prompt(loaded):
    gen = generator(loaded, engine="hf", max_context=256, max_new_tokens=16)
    encoded = gen.encode(shop_prompt(user="boots " * 400 + "THE END"))
    assert encoded.dropped_tokens > 0 and len(encoded.ids) == 256 - 16
    text = loaded.tokenizer.decode(encoded.ids)
    assert text.startswith("<|im_start|>system\n" + SYSTEM) and "THE END" in text


@pytest.mark.e2e
def test_closing_a_stream_frees_its_slot(loaded):
    gen = generator(loaded, engine="fast", batch_slots=1, max_new_tokens=300, repetition_penalty=1.0)
    stream = gen.stream(shop_prompt())
    next(stream)
    assert gen.engine.busy_slots() == 1
    stream.close()
    deadline = time.monotonic() + 2.0
    while gen.engine.busy_slots() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert gen.engine.busy_slots() == 0
