"""The command data: made from the store's files, parseable, and never saying what an evaluation set says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.understand.command_text import parse_commands
from finetune.commands.build import CommandDataConfig, build, never_train_on
from finetune.commands.example import state_of
from finetune.commands.scoring import CommandScore


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("commands")
    config = CommandDataConfig(out=out, examples=1500, dev_examples=150, heldout_examples=200,
                               datasets_dir=tmp_path_factory.mktemp("no-datasets"))  # generated rows only: fast, no shared data
    manifest = build(config)
    read = lambda name: [json.loads(line) for line in (out / f"{name}.jsonl").read_text().splitlines()]  # noqa: E731
    return manifest, read("train"), read("dev"), read("heldout"), config


def test_every_row_parses_and_its_state_makes_sense(built):
    _, train, dev, heldout, _ = built
    for row in train + dev + heldout:
        commands = parse_commands(row["expect"])
        state = state_of(row["state"])
        if row["family"] in ("refine", "ask"):
            assert state.shown and state.last_search is not None
        if row["family"] == "confirm":
            assert state.pending is not None
        assert commands


def test_every_kind_of_request_is_taught(built):
    manifest, train, *_ = built
    assert {"search", "refine", "ask", "order", "confirm", "policy", "social", "out_of_scope", "recommend", "handoff",
            "multi", "lang"} <= set(manifest["train_by_family"])
    kinds = {line.split()[0] for row in train for line in row["expect"].splitlines()}
    assert {"search", "refine", "ask", "order_status", "order_change", "order_issue", "confirm", "deny", "policy", "greet",
            "thanks", "bye", "out_of_scope", "recommend", "handoff"} <= kinds


def test_nothing_trained_on_is_said_in_the_dev_split_the_held_out_rows_or_the_evaluation_sets(built):
    _, train, dev, heldout, config = built
    norm = lambda t: " ".join(t.lower().replace("?", " ").replace(".", " ").replace("!", " ").split())  # noqa: E731
    trained = {norm(r["say"]) for r in train}
    assert not trained & {norm(r["say"]) for r in dev + heldout}
    assert not trained & never_train_on(config)


def test_held_out_rows_come_from_phrasings_training_never_uses(built):
    _, train, _, heldout, _ = built
    assert heldout and all(r["group"] != "" for r in heldout)
    train_groups = {r["group"] for r in train}
    assert any(r["group"] not in train_groups for r in heldout)  # whole groups of phrasings, not only new rows


def test_a_score_counts_kinds_and_slots_separately():
    score = CommandScore()
    score.add(parse_commands("search type=tent cat=outdoor max=200"), parse_commands("search type=tent cat=outdoor max=150"))
    score.add(parse_commands("confirm"), parse_commands("deny"), pending=True)
    report = score.report()
    assert report["command_type_accuracy"] == 0.5 and report["exact_match"] == 0.0
    assert report["slots"]["search.max"]["f1"] == 0.0 and report["slots"]["search.cat"]["f1"] == 1.0
    assert report["confirm_deny_in_context"] == {"accuracy": 0.0, "n": 1}
