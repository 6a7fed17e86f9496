"""Intent detector: label trie, serving-identical prompt encoding, calibration files."""

import json

import pytest

from assistant.intent import INTENTS, branch_points, encode_intent, intent_config_for, label_token_ids, prompt_parts
from assistant.model import LoadedModel


def test_branch_points_cover_every_divergence():
    labels = [[1, 2, 9], [1, 3, 9], [4, 9]]
    assert sorted(branch_points(labels)) == [(), (1,)]


@pytest.fixture(scope="module")
def tokenizer(real_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(real_model_dir)


@pytest.mark.e2e
def test_prompt_encoding_matches_the_chat_template(tokenizer):
    before, after = prompt_parts(tokenizer)
    ids = encode_intent(tokenizer, "where is my order?")
    assert ids[: len(before)] == before and ids[-len(after):] == after
    labels = label_token_ids(tokenizer)
    assert len(labels) == len(INTENTS) == 31
    assert len({tuple(l) for l in labels}) == 31  # every label reachable in the trie


def test_calibration_file_switches_to_short_prompt(tmp_path):
    (tmp_path / "intent_calibration.json").write_text(json.dumps({"temperature": 2.0, "threshold": 0.4}))
    config = intent_config_for(LoadedModel(model=None, tokenizer=None, device="cpu", path=tmp_path, adapter=tmp_path))
    assert (config.short_prompt, config.temperature, config.threshold) == (True, 2.0, 0.4)
    base = intent_config_for(LoadedModel(model=None, tokenizer=None, device="cpu", path=tmp_path, adapter=None))
    assert base.short_prompt is False
