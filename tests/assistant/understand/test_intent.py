"""Intent detector: label trie, serving-identical prompt encoding, calibration files."""

import json

import pytest

from assistant.generation.model import LoadedModel
from assistant.settings import ModelSettings
from assistant.understand.intent import INTENTS, branch_points, encode_intent, intent_config_for, label_token_ids, prompt_parts


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
    config = intent_config_for(LoadedModel(model=None, tokenizer=None, device="cpu", path=tmp_path, adapter=tmp_path), ModelSettings().intent_threshold)
    assert (config.short_prompt, config.temperature, config.threshold) == (True, 2.0, 0.4)
    base = intent_config_for(LoadedModel(model=None, tokenizer=None, device="cpu", path=tmp_path, adapter=None), ModelSettings().intent_threshold)
    assert base.short_prompt is False


def test_calibration_file_carries_the_fusion_weight(tmp_path):
    (tmp_path / "intent_calibration.json").write_text(json.dumps({"temperature": 1.0, "threshold": 0.0, "head_weight": 0.7}))
    config = intent_config_for(LoadedModel(model=None, tokenizer=None, device="cpu", path=tmp_path, adapter=tmp_path), ModelSettings().intent_threshold)
    assert config.head_weight == 0.7
    (tmp_path / "intent_calibration.json").write_text(json.dumps({"temperature": 1.0, "threshold": 0.0}))
    from assistant.understand.intent import HEAD_WEIGHT

    assert intent_config_for(LoadedModel(model=None, tokenizer=None, device="cpu", path=tmp_path, adapter=tmp_path), ModelSettings().intent_threshold).head_weight == HEAD_WEIGHT


@pytest.mark.e2e
def test_one_pass_tree_scorer_matches_the_reference_scores(real_model_dir):
    """The single tree-attention pass gives the trie's scores exactly in fp32, and the same
    ranking (within bf16 noise) in the serving dtype."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from assistant.understand.intent import IntentConfig, ModelIntentClassifier
    from assistant.understand.tree_scorer import TreeScorer

    tokenizer = AutoTokenizer.from_pretrained(real_model_dir)
    model = AutoModelForCausalLM.from_pretrained(real_model_dir, dtype=torch.float32).eval()
    loaded = LoadedModel(model=model, tokenizer=tokenizer, device="cpu", path=real_model_dir)
    reference = ModelIntentClassifier(loaded, IntentConfig(short_prompt=True), fast=False)
    exact = ModelIntentClassifier(loaded, IntentConfig(short_prompt=True))
    exact._tree = TreeScorer(model, exact._prefix_ids, exact._branches, exact._allowed, dtype=torch.float32)
    served = ModelIntentClassifier(loaded, IntentConfig(short_prompt=True))
    for text in ("where is my order 12345?", "what's the weather tomorrow", "hi"):
        ref = reference.log_likelihoods(text)
        assert exact.log_likelihoods(text) == pytest.approx(ref, abs=1e-3)
        fast = served.log_likelihoods(text)
        assert max(abs(a - b) for a, b in zip(fast, ref)) < 1.0
    serving_dtype = torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else torch.float32
    assert served._tree is not None and served._tree.dtype == serving_dtype  # bf16 only where the CPU has it natively
