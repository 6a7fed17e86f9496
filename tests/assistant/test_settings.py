"""Settings come from SHOPASSIST_ variables, nested groups with a double underscore."""

import pytest
from pydantic import ValidationError

from assistant.settings import Settings


def test_environment_overrides_nested_groups(monkeypatch, tmp_path):
    monkeypatch.setenv("SHOPASSIST_HOME", str(tmp_path))
    monkeypatch.setenv("SHOPASSIST_MODEL__DEVICE", "cpu")
    monkeypatch.setenv("SHOPASSIST_RETRIEVAL__TOP_K", "7")
    settings = Settings()
    assert settings.home == tmp_path
    assert settings.model.device == "cpu"
    assert settings.retrieval.top_k == 7
    assert settings.index_dir == tmp_path / "index"


def test_nonsense_values_are_refused(monkeypatch):
    monkeypatch.setenv("SHOPASSIST_MODEL__DEVICE", "tpu")
    with pytest.raises(ValidationError):
        Settings()


def test_unknown_keys_are_refused():
    with pytest.raises(ValidationError):
        Settings(modle={"device": "cpu"})
