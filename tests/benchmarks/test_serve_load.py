"""`shopassist bench load` against a real server over HTTP (fake model): shoppers, errors and the JSON figures."""

from __future__ import annotations

import json

from tests.conftest import make_deps
from tests.ui.conftest import ServerThread


def test_bench_load_streams_shoppers_and_prints_the_figures_as_its_last_line(settings, tmp_path, capsys):
    from benchmarks.serve_load import main
    from ui.app import create_app

    settings = settings.model_copy(update={"serve": settings.serve.model_copy(update={"rate_limit_per_minute": 0})})
    with ServerThread(create_app(settings, make_deps(settings))) as server:
        main(["--url", f"{server.url}/v1", "--sweep", "1,3", "--turns", "2", "--plot", str(tmp_path / "load.png")])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert {"sessions", "turns", "errors", "ttft_p50", "ttft_p95", "turn_p50", "turn_p95", "turns_per_s"} <= set(result)
    assert result["sessions"] == 3 and result["turns"] == 6 and result["errors"] == 0, result["first_errors"]
    assert [r["sessions"] for r in result["sweep"]] == [1, 3]
    assert 0 < result["ttft_p50"] <= result["ttft_p95"] <= result["turn_p95"]
    assert (tmp_path / "load.png").stat().st_size > 0


def test_a_refused_turn_counts_as_an_error(settings, capsys):
    from benchmarks.serve_load import main
    from ui.app import create_app

    settings = settings.model_copy(update={"serve": settings.serve.model_copy(update={"rate_limit_per_minute": 2})})
    with ServerThread(create_app(settings, make_deps(settings))) as server:
        main(["--url", f"{server.url}/v1", "--sessions", "1", "--turns", "4"])
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["turns"] == 4 and result["errors"] == 2 and "429" in result["first_errors"][0]
