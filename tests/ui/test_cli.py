"""The shopassist command: clear errors instead of tracebacks, and one real answer end to end."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ui.cli import cli


@pytest.fixture
def env(settings, tmp_path):
    return {"SHOPASSIST_HOME": str(settings.home), "SHOPASSIST_RETRIEVAL__CATALOG": str(settings.retrieval.catalog)}


def test_unreadable_catalog_is_reported_without_traceback(tmp_path):
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "missing.csv")])
    assert result.exit_code == 1
    assert "missing.csv" in result.output and "hint:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.e2e
def test_chat_message_answers_on_stdout_and_refuses_bad_input(env, real_model_dir):
    env = {**env, "SHOPASSIST_MODEL__PATH": str(real_model_dir), "SHOPASSIST_MODEL__MAX_NEW_TOKENS": "24"}
    runner = CliRunner()
    ok = runner.invoke(cli, ["chat", "--user", "C0001", "--message", "I need a waterproof jacket"], env=env)
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.strip()
    assert "intent" in ok.stderr  # status lines go to stderr, the reply alone to stdout

    unknown = runner.invoke(cli, ["chat", "--user", "C9999", "--message", "hi"], env=env)
    assert unknown.exit_code == 1 and "unknown customer id 'C9999'" in unknown.output

    huge = runner.invoke(cli, ["chat", "--message", "x" * 100_000], env=env)
    assert huge.exit_code == 1 and "100,000 characters" in huge.output and "Traceback" not in huge.output
