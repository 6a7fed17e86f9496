"""Policy answers: the sentence of the store's own policy text that answers, found by meaning and by words.
The question set (benchmarks/cases/policy_questions.jsonl) was written for this store: each question
names the words its answering sentence must contain, or null when the store's text does not answer it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.policies import PolicyIndex, split_passages
from data import DEMO_DIR
from data.load import load_policies

QUESTIONS = [json.loads(line) for line in (Path(__file__).parents[3] / "benchmarks" / "cases" / "policy_questions.jsonl")
             .read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def index(embedder) -> PolicyIndex:
    return PolicyIndex.build(load_policies(DEMO_DIR / "policies"), embedder)


def test_every_shopper_facing_sentence_is_a_passage_and_the_assistants_own_rules_are_not():
    passages = split_passages(load_policies(DEMO_DIR / "policies"))
    assert any("within 30 days of delivery" in p.text for p in passages)
    assert not any(p.topic == "retention_offers" for p in passages)  # rules for the assistant are never quoted


@pytest.mark.parametrize(("question", "words"), [
    ("how many days do I have to return something?", "30 days"), ("how fast is express delivery?", "1-2 business days"),
    ("can I return underwear?", "cannot be returned"), ("how long do refunds take?", "5-7 business days"),
    ("how many days do I have to send something back?", "30 days"),  # sending back is returning, not a damaged-item photo
])
def test_the_answer_quotes_the_stores_number(index, question, words):
    assert words in index.answer(question).passages[0].text


def test_the_rest_of_the_answering_bullet_comes_along_when_it_is_on_the_question(index):
    found = [p.text for p in index.answer("how long does shipping to Europe take?").passages]
    assert "We ship to the US, Canada, the UK and the EU." in found and "International delivery takes 7-12 business days." in found


def test_most_questions_get_their_sentence_and_most_unanswerable_ones_get_none(index):
    answerable = [q for q in QUESTIONS if q["answer"]]
    right = sum(q["answer"].lower() in " ".join(p.text for p in index.answer(q["question"]).passages).lower() for q in answerable)
    unanswerable = [q for q in QUESTIONS if not q["answer"]]
    silent = sum(not index.answer(q["question"]).passages for q in unanswerable)
    assert right / len(answerable) >= 0.9, f"{right}/{len(answerable)} answered with the right sentence"
    assert silent / len(unanswerable) >= 0.6, f"{silent}/{len(unanswerable)} unanswerable questions left unanswered"
