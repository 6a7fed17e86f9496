"""The evaluation command: metrics arithmetic, query-file checks, and one real run on the tiny catalog."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.errors import BadInput
from retrieval.evaluate import build_abt_buy_queries, load_queries, score_ranking


@pytest.mark.parametrize("ranked,relevant,expected", [
    (["a", "b"], "a", (1.0, 1.0, 1.0)),
    (["b", "c", "a"], "a", (0.0, 1.0, 1 / 3)),
    (["b"] * 10 + ["a"], "a", (0.0, 0.0, 0.0)),  # rank 11 is outside @10
    ([], "a", (0.0, 0.0, 0.0)),
])
def test_score_ranking(ranked, relevant, expected):
    assert score_ranking(ranked, relevant, 10) == pytest.approx(expected)


def test_query_file_needs_its_columns(tmp_path):
    bad = tmp_path / "q.csv"
    bad.write_text("text,id\nshoes,S1\n", encoding="utf-8")
    with pytest.raises(BadInput, match="query,relevant_id"):
        load_queries(bad)
    bad.write_text("query,relevant_id\nshoes,\n", encoding="utf-8")
    with pytest.raises(BadInput, match="line"):
        load_queries(bad)


def test_abt_buy_query_builder(tmp_path):
    data = tmp_path / "abt_buy"
    data.mkdir()
    (data / "buy.csv").write_text('id,name,description,manufacturer,price\n7,"Sony Bravia KDL40",,SONY,\n8,"Other",,,\n', encoding="utf-8")
    (data / "matches_dev.csv").write_text("idAbt,idBuy\n101,7\n102,999\n", encoding="utf-8")
    assert build_abt_buy_queries(data, tmp_path / "q.csv") == 1  # the pair with an unknown Buy id is dropped
    assert load_queries(tmp_path / "q.csv") == [("Sony Bravia KDL40", "101")]


def test_evaluate_retrieval_command(tiny_catalog, tmp_path):
    from ui.cli import cli

    queries = tmp_path / "q.csv"
    queries.write_text("query,relevant_id\nrain jacket for hiking,J1\nnoise cancelling headphones,H1\n"
                       "drip coffee maker,K1\nrunning shoes,S1\n", encoding="utf-8")
    plot = tmp_path / "eval.png"
    result = CliRunner().invoke(cli, ["evaluate", "retrieval", "--catalog", str(tiny_catalog), "--queries", str(queries),
                                      "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    for key in ("n", "recall_at_1", "recall_at_10", "mrr_at_10", "latency_ms_p50", "latency_ms_p95"):
        assert key in report and all(key in report["methods"][m] for m in ("bm25", "dense", "hybrid"))
    assert report["n"] == 4 and report["methods"]["hybrid"]["recall_at_10"] == 1.0
    assert plot.read_bytes()[:4] == b"\x89PNG"
