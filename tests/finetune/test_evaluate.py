"""Evaluation helpers: unknown labels refused, metrics, calibration."""

import pytest

from data.errors import BadInput
from finetune.evaluate import LABELS, decide, fit_temperature, load_labelled, metrics, pick_threshold


def test_unknown_labels_are_refused(tmp_path):
    path = tmp_path / "eval.csv"
    path.write_text("text,intent\nhi,greeting\nwhat,weather_query\n")
    with pytest.raises(BadInput, match="weather_query"):
        load_labelled(path)


def test_metrics_count_oos_as_a_class():
    m = metrics(["greeting", "out_of_scope", "goodbye"], ["greeting", "out_of_scope", "greeting"], [0.1, 0.9, 0.2])
    assert m["accuracy"] == pytest.approx(2 / 3, abs=1e-3) and m["oos_recall"] == 1.0 and m["oos_auroc"] == 1.0


def test_threshold_abstains_and_temperature_is_fitted():
    probs = [0.0] * len(LABELS)
    probs[LABELS.index("greeting")] = 0.3
    probs[LABELS.index("goodbye")] = 0.7
    assert decide(probs, 0.8)[0] == "out_of_scope" and decide(probs, 0.5)[0] == "goodbye"
    sharp = [[10.0 if l == "greeting" else 0.0 for l in LABELS]] * 3 + [[10.0 if l == "greeting" else 0.0 for l in LABELS]]
    gold = ["greeting", "greeting", "greeting", "goodbye"]  # overconfident once: T should rise above 1
    assert fit_temperature(sharp, gold) > 1.0
    assert 0.0 <= pick_threshold([[1 / len(LABELS)] * len(LABELS)], ["out_of_scope"]) <= 1.0


def test_head_weight_is_picked_on_heldout_sources_balanced():
    from finetune.evaluate import pick_head_weight

    n = len(LABELS)

    def onehot(label, value=5.0):
        return [value if l == label else 0.0 for l in LABELS]

    # the model is right on source a (many rows), the head is right on source b (few rows):
    # balanced over sources, neither extreme wins outright and the head-only weight is not picked.
    lm = [onehot("greeting")] * 9 + [onehot("goodbye", 1.0)]
    head = [[x - 10 for x in onehot("goodbye", 2.0)]] * 9 + [[x - 10 for x in onehot("greeting", 9.0)]]
    gold = ["greeting"] * 10
    sources = ["a"] * 9 + ["b"]
    weight, table = pick_head_weight(lm, head, gold, sources)
    assert 0.0 <= weight <= 1.0 and len(table) == 11
    assert table[weight] == max(table.values()) and table[1.0] <= 0.5
    assert n == 31


def test_fuse_is_a_weighted_mean_of_log_probs():
    import math

    from assistant.understand.intent import fuse

    lm, head = [0.0, math.log(3)], [math.log(0.5), math.log(0.5)]
    fused = fuse(lm, head, 0.5)
    assert fused[1] - fused[0] == pytest.approx(0.5 * math.log(3))
    assert fuse(lm, head, 0.0) == pytest.approx([math.log(0.25), math.log(0.75)])
