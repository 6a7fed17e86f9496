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
    env = {**env, "SHOPASSIST_MODEL__BASE": str(real_model_dir), "SHOPASSIST_MODEL__MAX_NEW_TOKENS": "24"}
    runner = CliRunner()
    ok = runner.invoke(cli, ["chat", "--user", "C0001", "--message", "I need a waterproof jacket"], env=env)
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.strip()
    assert "intent" in ok.stderr  # status lines go to stderr, the reply alone to stdout

    stranger = runner.invoke(cli, ["chat", "--user", "C9999", "--message", "hi"], env=env)
    assert stranger.exit_code == 0 and "Welcome" in stranger.stdout  # a new shopper, served from a cold start

    huge = runner.invoke(cli, ["chat", "--message", "x" * 100_000], env=env)
    assert huge.exit_code == 1 and "100,000 characters" in huge.output and "Traceback" not in huge.output


def test_experiment_commands_explain_bad_files_and_names(env, tmp_path):
    runner = CliRunner()
    missing = runner.invoke(cli, ["experiments", "report", "retention-offer"], env=env)
    assert missing.exit_code == 1 and "no experiment file" in missing.output and "SHOPASSIST_EXPERIMENTS__FILE" in missing.output
    demo = "data/demo/experiments.toml"
    unknown = runner.invoke(cli, ["experiments", "report", "nope", "--file", demo], env=env)
    assert unknown.exit_code == 1 and "unknown experiment 'nope'" in unknown.output and "retention-offer" in unknown.output
    clash = tmp_path / "clash.toml"
    text = open(demo).read()
    clash.write_text(text + text.replace('name = "retention-offer"', 'name = "offer-2"').split("[[experiment]]\nname = \"keyword-weight\"")[0])
    overlapping = runner.invoke(cli, ["experiments", "list", "--file", str(clash)], env=env)
    assert overlapping.exit_code == 1 and "both vary 'retention_offer'" in overlapping.output
    assert "Traceback" not in unknown.output + overlapping.output


@pytest.mark.e2e
def test_simulated_shoppers_drive_the_real_assistant_into_a_report(env, real_model_dir, tmp_path):
    import json

    env = {**env, "SHOPASSIST_MODEL__BASE": str(real_model_dir)}
    demo = "data/demo/experiments.toml"
    runner = CliRunner()
    result = runner.invoke(cli, ["experiments", "simulate", "retention-offer", "--file", demo, "--sessions", "12",
                                 "--no-replies", "--effect", "0.5"], env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["simulation"]["sessions"] == 12 and summary["simulation"]["turns"] >= 12
    assert sum(v["sessions"] for v in summary["variants"]) == 12
    report = runner.invoke(cli, ["experiments", "report", "retention-offer", "--file", demo,
                                 "--plot", str(tmp_path / "r.png")], env=env)
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout.strip().splitlines()[-1])["variants"] == summary["variants"]
    assert "Not conclusive yet: too few sessions" in report.stdout and (tmp_path / "r.png").exists()


def test_a_flag_out_of_range_is_refused_before_anything_starts(monkeypatch):
    import uvicorn

    import assistant.deps
    import ui.app

    started = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append("uvicorn"))
    monkeypatch.setattr(assistant.deps, "build_deps", lambda *a, **k: started.append("deps"))
    monkeypatch.setattr(ui.app, "create_app", lambda *a, **k: started.append("app"))
    result = CliRunner().invoke(cli, ["serve", "--port", "70000"])
    assert result.exit_code == 2, result.output
    assert "'--port'" in result.output and "serve.port" in result.output and "65535" in result.output
    assert "Traceback" not in result.output and started == []


def test_flags_are_merged_into_the_environments_settings(monkeypatch):
    from ui.cli.common import make_settings

    monkeypatch.setenv("SHOPASSIST_SERVE__HOST", "0.0.0.0")
    settings = make_settings(**{"serve.port": 9000, "serve.host": None, "retrieval.collection": "other"})
    assert (settings.serve.host, settings.serve.port, settings.retrieval.collection) == ("0.0.0.0", 9000, "other")


def test_a_bad_environment_setting_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("SHOPASSIST_SERVE__RATE_LIMIT_PER_MINUTE", "-1")
    result = CliRunner().invoke(cli, ["profiles", "export", "C0001"])
    assert result.exit_code == 1 and "SHOPASSIST_SERVE__RATE_LIMIT_PER_MINUTE" in result.output
    assert "Traceback" not in result.output


def test_bench_comes_from_its_entry_point_and_ui_never_imports_benchmarks():
    import subprocess
    import sys

    listed = CliRunner().invoke(cli, ["bench", "--help"])
    assert listed.exit_code == 0 and "generate" in listed.output, listed.output
    code = "import sys, ui.cli, ui.app; print(sorted(m for m in sys.modules if m.startswith('benchmarks')))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_a_plugin_that_fails_to_load_is_reported_and_the_rest_still_works(monkeypatch):
    from importlib.metadata import EntryPoint

    import ui.cli

    broken = EntryPoint("broken", "no_such_module:group", "shopassist.commands")
    clash = EntryPoint("serve", "no_such_module:serve", "shopassist.commands")  # a built-in keeps its name
    monkeypatch.setattr(ui.cli, "entry_points", lambda group: [broken, clash])
    runner = CliRunner()
    listing = runner.invoke(cli, ["--help"])
    assert listing.exit_code == 0 and "broken" in listing.output and "Serve the browser chat" in listing.output
    result = runner.invoke(cli, ["broken", "--anything"])
    assert result.exit_code == 1 and "no_such_module" in result.output and "Traceback" not in result.output
