"""The evaluation command: metrics arithmetic, query-file checks, and one real run on the tiny catalog."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from data.errors import BadInput
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


# -- fusion grid --------------------------------------------------------------------------------

def synthetic_lists(n: int, better: str) -> dict[str, dict[str, list[str]]]:
    """Per query: the `better` method ranks the answer first; the other ranks a distractor first and
    the answer third, and the better one has that distractor second. Only weights favouring `better`
    by about 2x put the answer on top."""
    worse = "dense" if better == "bm25" else "bm25"
    return {f"query {i}": {better: [f"R{i}", f"D{i}", f"X{i}"], worse: [f"D{i}", f"Y{i}", f"R{i}"]} for i in range(n)}


@pytest.mark.parametrize("better", ["bm25", "dense"])
def test_fusion_grid_picks_the_weights_of_the_better_method(tmp_path, monkeypatch, better):
    """End to end through the CLI on cached candidate lists: the pick favours the better method, beats the
    (equal-weight) default on both halves, and a heatmap is written."""
    import types

    import retrieval.evaluate as evaluate
    from ui.cli import cli

    lists = synthetic_lists(60, better)
    fake = types.SimpleNamespace(config=types.SimpleNamespace(candidates=20), catalog={})
    monkeypatch.setattr(evaluate, "_eval_retriever", lambda *a, **k: fake)
    monkeypatch.setattr(evaluate, "candidate_lists", lambda retriever, query: lists[query])
    monkeypatch.setenv("SHOPASSIST_RETRIEVAL__RRF_K", "2")
    monkeypatch.setenv("SHOPASSIST_RETRIEVAL__DENSE_WEIGHT", "1")
    monkeypatch.setenv("SHOPASSIST_RETRIEVAL__BM25_WEIGHT", "1")
    queries = tmp_path / "q.csv"
    queries.write_text("query,relevant_id\n" + "".join(f"query {i},R{i}\n" for i in range(60)), encoding="utf-8")
    plot = tmp_path / "grid.png"
    result = CliRunner().invoke(cli, ["evaluate", "fusion", "--catalog", str(queries), "--queries", str(queries),
                                      "--rrf-k", "1,2,5", "--dense-weights", "0.5,1,2", "--bm25-weights", "0.5,1,2",
                                      "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["grid"] == 27 and report["current_default"] == {"rrf_k": 2, "dense_weight": 1.0, "bm25_weight": 1.0}
    best = report["best"]
    other = "dense" if better == "bm25" else "bm25"
    assert best[f"{better}_weight"] >= 2 * best[f"{other}_weight"]
    for half in ("choose_half", "confirm_half"):
        assert report[half]["best"]["mrr_at_10"] == 1.0 and report[half]["current_default"]["mrr_at_10"] == 0.5
        assert report[half][better]["recall_at_1"] == 1.0 and report[half][other]["recall_at_1"] == 0.0
    assert report["choose_half"]["best"]["n"] + report["confirm_half"]["best"]["n"] == 60
    assert report["confirm_half"]["gain_mrr_ci95"][0] > 0 and report["decision"].startswith("change")
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_fusion_grid_keeps_the_default_when_nothing_is_better():
    from retrieval.evaluate import FusionGridConfig, choose_fusion, fused_ranks

    config = FusionGridConfig(rrf_k=(1, 2, 5), dense_weight=(1.0, 2.0), bm25_weight=(1.0, 2.0))
    points, default = config.points(), np.array([2.0, 1.0, 2.0])
    lists = {"bm25": ["A", "B"], "dense": ["A", "C"]}  # every weighting puts the answer first
    ranks = np.stack([fused_ranks(lists, "A", points)] * 20)
    default_ranks = np.array([fused_ranks(lists, "A", default[None])[0]] * 20)
    choose = np.arange(20) % 2 == 0
    pick = choose_fusion(ranks, default_ranks, choose, config, points, default)
    assert np.allclose(points[pick["index"]], default) and not pick["holds"]


@pytest.mark.parametrize("bad", [["--rrf-k", "0,2"], ["--bm25-weights", "-1"], ["--dense-weights", "a,b"]])
def test_fusion_grid_refuses_bad_values(tmp_path, bad):
    from ui.cli import cli

    queries = tmp_path / "q.csv"
    queries.write_text("query,relevant_id\nshoes,S1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", "fusion", "--catalog", str(queries), "--queries", str(queries), *bad])
    assert result.exit_code == 2 and ("must be" in result.output or "comma-separated" in result.output)


def test_numpy_fusion_matches_the_real_search(settings, tmp_path):
    """The grid's cached-list fusion ranks every product exactly where ProductSearch.search puts it, on a
    catalog like Abt-Buy's: no categories and nothing out of stock, so only fusion and re-rank order them
    (the relevance gate after fusion is off: the grid tunes the fusion alone)."""
    from assistant.deps import product_search
    from retrieval.evaluate import candidate_lists, fused_ranks
    from tests.conftest import TINY_CATALOG

    flat = tmp_path / "flat.jsonl"
    flat.write_text("".join(json.dumps({**row, "category": "", "stock": 5}) + "\n" for row in TINY_CATALOG), encoding="utf-8")
    config = settings.retrieval.changed(catalog=flat, profile_weight=0.0, popularity_weight=0.0, match_similarity=0.0)
    retriever = product_search(settings.model_copy(update={"retrieval": config}))
    points = np.array([[1, 1.0, 1.0], [2, 1.0, 2.0], [60, 1.0, 1.0], [5, 2.0, 0.5]])
    for query in ("rain jacket for hiking", "wireless headphones", "coffee", "shoes under $120", "warm winter"):
        lists = candidate_lists(retriever, query)
        for point in points:
            twin = retriever.with_config(rrf_k=int(point[0]), dense_weight=point[1], bm25_weight=point[2])
            ranked = [h.product.id for h in twin.search(query, 10)]
            for pid in retriever.catalog:
                expected = ranked.index(pid) + 1 if pid in ranked else 0
                assert fused_ranks(lists, pid, point[None])[0] == expected, (query, point, pid)
