"""Experiment files: checked as a whole, sticky per customer, and turned into per-turn knob values."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.analytics.experiments import load_experiments, parse_experiments
from assistant.settings import REPO_ROOT
from data.errors import BadInput

OFFER = """
[[experiment]]
name = "offer"
parameter = "retention_offer"
[[experiment.variant]]
name = "control"
traffic = 0.5
[[experiment.variant]]
name = "code"
traffic = 0.5
value = "code"
"""


def book_from(text: str, tmp_path):
    path = tmp_path / "experiments.toml"
    path.write_text(text)
    return load_experiments(path)


def test_assignment_is_sticky_and_splits_traffic_as_declared(tmp_path):
    book = book_from(OFFER, tmp_path)
    first = [book.treatment(f"C{i:04d}", "session-a").variants["offer"] for i in range(2000)]
    again = [book.treatment(f"C{i:04d}", "session-b").variants["offer"] for i in range(2000)]
    assert first == again  # same customer, another session (or server): same variant
    share = Counter(first)["code"] / len(first)
    assert 0.46 < share < 0.54
    assert book.treatment("C0001", None).changes in ({}, {"retention_offer": "code"})


def test_guests_are_bucketed_by_session_and_nobody_without_either():
    book = parse_experiments({"experiment": [{"name": "p", "parameter": "profile_weight", "variant": [
        {"name": "control", "traffic": 0.5}, {"name": "strong", "traffic": 0.5, "value": 0.4}]}]})
    assert book.treatment(None, "abc") == book.treatment(None, "abc")
    assert book.treatment(None, None).variants == {}


def test_partial_traffic_leaves_the_rest_out():
    book = parse_experiments({"experiment": [{"name": "p", "parameter": "profile_weight", "variant": [
        {"name": "control", "traffic": 0.05}, {"name": "strong", "traffic": 0.05, "value": 0.4}]}]})
    assigned = sum(bool(book.treatment(f"C{i}", None).variants) for i in range(2000))
    assert 120 < assigned < 280


def test_each_knob_has_its_values_checked():
    def variant(parameter, value):
        return {"experiment": [{"name": "e", "parameter": parameter, "variant": [
            {"name": "control", "traffic": 0.5}, {"name": "b", "traffic": 0.5, "value": value}]}]}

    assert parse_experiments(variant("fusion", {"bm25_weight": 1, "rrf_k": 10})).get("e").variants[1].value == {
        "bm25_weight": 1.0, "rrf_k": 10}
    for parameter, value, message in [("fusion", {"bm25": 1}, "fusion value"), ("fusion", {"dense_weight": -1}, ">= 0"),
                                      ("profile_weight", 3, "from 0 to 1"), ("retention_offer", "50% off", "one of"),
                                      ("system_prompt", "hi", "20 to 4,000"), ("temperature", 1, "parameter")]:
        with pytest.raises(BadInput, match=message):
            parse_experiments(variant(parameter, value))


@pytest.mark.parametrize("change, message", [
    ({"variant": [{"name": "only", "traffic": 1.0}]}, "at least two"),
    ({"variant": [{"name": "a", "traffic": 0.7}, {"name": "b", "traffic": 0.7}]}, "more than 1"),
    ({"variant": [{"name": "a", "traffic": 0.5}, {"name": "a", "traffic": 0.5}]}, "appears twice"),
    ({"metric": "revenue"}, "metric"),
    ({"colour": "red"}, "unknown keys"),
    ({"name": "bad name!"}, "name must be"),
])
def test_malformed_experiments_say_what_is_wrong(change, message):
    base = {"name": "e", "parameter": "retention_offer",
            "variant": [{"name": "control", "traffic": 0.5}, {"name": "b", "traffic": 0.5, "value": "none"}]}
    with pytest.raises(BadInput, match=message):
        parse_experiments({"experiment": [{**base, **change}]})


def test_two_running_experiments_on_one_knob_are_refused_but_a_paused_one_may_wait(tmp_path):
    second = OFFER.replace('name = "offer"', 'name = "offer-2"')
    with pytest.raises(BadInput, match="both vary 'retention_offer'"):
        book_from(OFFER + second, tmp_path)
    paused = second.replace('parameter = "retention_offer"', 'parameter = "retention_offer"\nstatus = "paused"')
    book = book_from(OFFER + paused, tmp_path)
    assert set(book.treatment("C0001", None).variants) == {"offer"}


def test_unknown_names_missing_files_and_bad_toml_are_clear_errors(tmp_path):
    book = book_from(OFFER, tmp_path)
    with pytest.raises(BadInput, match="unknown experiment 'nope'"):
        book.get("nope")
    with pytest.raises(BadInput, match="not found"):
        load_experiments(tmp_path / "missing.toml")
    with pytest.raises(BadInput, match="not valid TOML"):
        book_from("[[experiment]\nname=", tmp_path)


def test_the_demo_experiment_file_loads():
    book = load_experiments(REPO_ROOT / "data" / "demo" / "experiments.toml")
    assert "retention-offer" in book.experiments
