"""Training data builder on the real shared data sets (intents part; dialogues need the index)."""

import csv
import random
from pathlib import Path

import pytest

from data.errors import BadInput
from finetune.dataset import DataConfig, fill_placeholders, intent_rows, read_table

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"
pytestmark = pytest.mark.skipif(not (DATASETS / "intents_dev_real.csv").exists(), reason="shared datasets not present")


@pytest.fixture(scope="module")
def rows():
    return intent_rows(DataConfig(), random.Random(13))


def test_dev_set_is_never_trained_on(rows):
    train, _ = rows
    dev = {" ".join(r["text"].lower().split()) for r in csv.DictReader((DATASETS / "intents_dev_real.csv").open())}
    assert not dev & {" ".join(r["text"].lower().split()) for r in train}


def test_heldout_is_by_source(rows):
    train, heldout = rows
    assert {r["source"] for r in heldout} >= {"bitext-heldout", "wands-heldout"}
    assert not {r["text"] for r in train} & {r["text"] for r in heldout}
    assert not {r["source"] for r in train} & {r["source"] for r in heldout}


def test_seeded_and_reproducible(rows):
    assert intent_rows(DataConfig(), random.Random(13)) == rows


def test_placeholders_are_filled():
    assert "{{" not in fill_placeholders("where is order {{Order Number}}?", random.Random(0))


def test_missing_columns_are_named(tmp_path):
    bad = tmp_path / "x.csv"
    bad.write_text("text\nhello\n")
    with pytest.raises(BadInput, match="intent"):
        read_table(bad, ("text", "intent"))


def test_real_banking_rows_are_held_out_for_the_fusion_weight(rows):
    from finetune.dataset import BANKING_MAP

    train, heldout = rows
    held = [r for r in heldout if r["source"] == "banking77-heldout"]
    assert len(held) == DataConfig().banking_heldout_per_category * len(BANKING_MAP)
    train_texts = {" ".join(r["text"].lower().split()) for r in train}
    assert not train_texts & {" ".join(r["text"].lower().split()) for r in held}
    assert sum(r["intent"] == "out_of_scope" for r in train) > 300  # varied negatives, many topics
