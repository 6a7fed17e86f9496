"""The command language: one spelling per command, and a clear error for anything else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.commands import OrderChange, OrderRef, Policy, SearchProducts
from assistant.understand.command_text import CommandSyntaxError, format_commands, parse_commands, slot_values

CASES = Path(__file__).resolve().parents[3] / "benchmarks" / "cases" / "commands_heldout.jsonl"


def test_every_expected_reading_of_the_held_out_set_has_exactly_one_spelling():
    rows = [json.loads(line) for line in CASES.read_text(encoding="utf-8").splitlines()]
    assert len(rows) >= 500
    for row in rows:
        assert format_commands(parse_commands(row["expect"])) == row["expect"], row["id"]


def test_list_slots_repeat_their_key_and_values_with_spaces_are_quoted():
    command = SearchProducts(product_type="trail runners", category="shoes", exclude_brands=("Stride", "Urbanly"), price_max=100.0)
    text = format_commands([command, Policy(topics=("shipping", "returns"))])
    assert text == 'search type="trail runners" cat=shoes not_brand=Stride not_brand=Urbanly max=100\n' \
                   "policy topic=shipping topic=returns"
    assert parse_commands(text)[0] == command


def test_an_order_reference_reads_back_into_its_parts():
    command = parse_commands('order_change kind=address item=parka address="9 Elm Court, Austin, TX 78701"')[0]
    assert command == OrderChange("address", OrderRef(item="parka"), new_address="9 Elm Court, Austin, TX 78701")
    assert slot_values(command) == {"order_change.kind": "address", "order_change.item": "parka",
                                    "order_change.address": "9 Elm Court, Austin, TX 78701"}


@pytest.mark.parametrize("text", ["", "buy shoes", "search colour=red", "search max=cheap", "refine dir=sideways",
                                  "order_change item=parka", "ask ref=first", 'search words="unclosed'])
def test_anything_else_is_a_syntax_error(text):
    with pytest.raises(CommandSyntaxError):
        parse_commands(text)


def test_a_chat_model_never_tuned_on_the_language_is_told_every_kind_and_slot():
    from assistant.understand.command_text import SPEC
    from assistant.understand.prompt import language_lesson

    lines = {line.split()[0]: line for line in language_lesson().splitlines()[1:-1]}
    assert set(lines) == set(SPEC)
    assert all(f"{slot.key}=" in lines[kind] for kind, (_, slots) in SPEC.items() for slot in slots)
    example = language_lesson().splitlines()[-1].removeprefix("For example: ")
    assert parse_commands(example)  # the example is a sentence of the language
