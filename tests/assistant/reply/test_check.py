"""The draft check: a model-written reply goes out only when it states the required facts and nothing else."""

from __future__ import annotations

import pytest

from assistant.reply.answer import Answer
from assistant.reply.check import DraftCheck

CHECK = DraftCheck(["AudioPeak Summit 2 Over-ear Headphones", "Sonora Echo 610 Studio Headphones"],
                   ["Jonas Tanaka", "jonas.tanaka1@example.com"])
SEARCH = Answer("search", "I'd suggest the AudioPeak Summit 2 Over-ear Headphones ($46.99).",
                facts=("Product 1: AudioPeak Summit 2 Over-ear Headphones ($46.99, rated 4.7/5, in stock)",),
                required=(("AudioPeak Summit 2 Over-ear Headphones",),), amounts=frozenset({46.99}))
ORDER = Answer("order", "Your order O00114 from October 23, 2026 (Vanta Orion 850 Budget Phone) has shipped.",
               facts=("Order O00114 from October 23, 2026 (Vanta Orion 850 Budget Phone) has shipped.",),
               required=(("shipped", "on its way"),), forbidden=("has been cancelled",), codes=frozenset({"O00114"}))


@pytest.mark.parametrize("draft", [
    "You might like the AudioPeak Summit 2 Over-ear Headphones ($46.99). They are in stock and rated 4.7/5.",
    "I'd recommend the AudioPeak Summit 2 Over-ear Headphones at $46.99.",
])
def test_a_draft_that_says_the_facts_passes(draft):
    assert CHECK.problems(draft, SEARCH, "over-ear headphones") == []


@pytest.mark.parametrize(("draft", "reason"), [
    ("I'd suggest the AudioPeak Summit 2 Over-ear Headphones at $46.99 per device.", "words not in the facts: per, device"),
    ("I'm sorry for your loss.", "words not in the facts: loss"),
    ("Try the AudioPeak Summit 2 Over-ear Headphones ($39.99).", "amount $39.99 not in the facts"),
    ("The AudioPeak Summit 2 Over-ear Headphones cost £46.99.", "link or foreign currency"),
    ("See the AudioPeak Summit 2 Over-ear Headphones at www.shop.com.", "link or foreign currency"),
    ("The AudioPeak Summit 2 Over-ear Headphones ($46.99) ship to [store_address].", "placeholder"),
    ("The AudioPeak Summit 2 Over-ear Headphones ($46.99), use code SAVE20 today.", "code SAVE20 not in the facts"),
    ("The Sonora Echo 610 Studio Headphones are great.", "product 'sonora echo 610 studio headphones' not in the facts"),
    ("Great choice for long flights!", "missing 'AudioPeak Summit 2 Over-ear Headphones'"),
    ("Hi Jonas Tanaka, the AudioPeak Summit 2 Over-ear Headphones ($46.99) are in stock.", "customer data 'jonas tanaka'"),
    ("As an at-risk customer you get the AudioPeak Summit 2 Over-ear Headphones ($46.99).", "profile word"),
    ("I'd suggest the AudioPeak Summit 2 Over-ear Headphones ($46.99). Another good", "unfinished sentence"),
    ("I'd suggest the AudioPeak Summit 2 Over-ear Headphones ($46.99). Another option is the AudioPeak Summit 2 "
     "Over-ear Headphones ($46.99).", "names 'audiopeak summit 2 over-ear headphones' more often"),
])
def test_a_draft_saying_anything_the_facts_do_not_hold_fails(draft, reason):
    assert any(p.startswith(reason) for p in CHECK.problems(draft, SEARCH, "over-ear headphones")), CHECK.problems(draft, SEARCH, "over-ear headphones")


def test_an_order_draft_must_name_the_order_and_say_nothing_false():
    assert CHECK.problems("Your order O00114 has shipped and is on its way.", ORDER, "where is my order") == []
    assert any("missing 'O00114'" in p for p in CHECK.problems("Your order has shipped.", ORDER, "where is my order"))
    assert any("false here" in p for p in CHECK.problems("Your order O00114 has been cancelled and has shipped.", ORDER, "x"))


def test_the_shoppers_own_numbers_may_be_repeated():
    answer = Answer("search", "Sorry, I couldn't find any headphones with price under $20.", facts=("Nothing under $20.",),
                    required=(("sorry",),))
    assert CHECK.problems("Sorry, I couldn't find headphones under $20.", answer, "headphones under $20") == []


def test_a_stock_answer_must_say_yes_not_just_the_words_in_stock(settings):
    from assistant.commands import AskShown
    from assistant.products.questions import answer_question
    from tests.conftest import shared_retriever

    catalog = shared_retriever(settings).catalog
    shown = [catalog["H1"], catalog["H2"]]
    answer = answer_question(AskShown(about=("stock",), refs=(1,)), shown, focus=None)  # "is the first one in stock?"
    check = DraftCheck([p.title for p in catalog.values()], [])
    assert check.problems("Yes, the Sonora Aura Noise-Cancelling Headphones is in stock.", answer, "is the first one in stock?") == []
    assert check.problems("The first one in stock is the Sonora Aura Noise-Cancelling Headphones.", answer,
                          "is the first one in stock?")
    assert check.problems("No, the Sonora Aura Noise-Cancelling Headphones is out of stock.", answer,
                          "is the first one in stock?")
    gone = answer_question(AskShown(about=("stock",), refs=(2,)), shown, focus=None)  # the earbuds: none left
    assert check.problems("Yes, the Wavely Sport Earbuds is in stock.", gone, "is the second one in stock?")
