"""Adapter resolution: env override, empty = base model, corrupt or missing = ModelUnavailable."""

import pytest

from assistant.generation.model import resolve_adapter
from assistant.settings import Settings
from data.errors import ModelUnavailable


def test_empty_env_runs_the_base_model(monkeypatch):
    monkeypatch.setenv("SHOPASSIST_MODEL__ADAPTER", "")
    assert resolve_adapter(Settings()) is None


def test_missing_adapter_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("SHOPASSIST_MODEL__ADAPTER", str(tmp_path / "nope"))
    with pytest.raises(ModelUnavailable, match="does not exist"):
        resolve_adapter(Settings())


def test_corrupt_adapter_is_a_clear_error(monkeypatch, tmp_path):
    (tmp_path / "adapter_config.json").write_text("{}")
    (tmp_path / "adapter_model.safetensors").write_bytes(b"not safetensors")
    monkeypatch.setenv("SHOPASSIST_MODEL__ADAPTER", str(tmp_path))
    with pytest.raises(ModelUnavailable, match="corrupt"):
        resolve_adapter(Settings())
