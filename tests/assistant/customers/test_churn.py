"""BG/NBD + Gamma-Gamma against lifetimes, the churn classifier on synthetic customers, bad input."""

from __future__ import annotations

import json
import os
import random
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assistant.customers.btyd import BetaGeo, GammaGamma
from assistant.customers.churn import FEATURES, ChurnConfig, History, explain, fit_churn_model, histories_from_rows
from assistant.customers.churn_eval import evaluate_churn, load_transactions
from data.errors import BadInput


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    lifetimes = pytest.importorskip("lifetimes")
    path = os.path.join(os.path.dirname(lifetimes.__file__), "datasets", "cdnow_customers_summary_with_transactions.csv")
    return pd.read_csv(path)


def test_bgnbd_matches_lifetimes(cdnow_summary):
    from lifetimes import BetaGeoFitter

    x, t_x, T = cdnow_summary["x"], cdnow_summary["t_x"], cdnow_summary["T"]
    ours = BetaGeo.fit(x, t_x, T)
    theirs = BetaGeoFitter().fit(x, t_x, T)
    for name in ("r", "alpha", "a", "b"):
        assert getattr(ours, name) == pytest.approx(theirs.params_[name], rel=2e-3)
    np.testing.assert_allclose(ours.p_alive(x, t_x, T), theirs.conditional_probability_alive(x, t_x, T), atol=1e-3)
    np.testing.assert_allclose(ours.expected_purchases(x, t_x, T, 39),
                               theirs.conditional_expected_number_of_purchases_up_to_time(39, x, t_x, T), atol=1e-2)


def test_gamma_gamma_matches_lifetimes(cdnow_summary):
    from lifetimes import GammaGammaFitter

    repeat = cdnow_summary[cdnow_summary["x"] > 0]
    ours = GammaGamma.fit(repeat["x"], repeat["zbar"])
    theirs = GammaGammaFitter().fit(repeat["x"], repeat["zbar"])
    for name in ("p", "q", "v"):
        assert getattr(ours, name) == pytest.approx(theirs.params_[name], rel=2e-3)


def test_no_purchase_probability_is_the_honest_score():
    bg = BetaGeo(r=0.25, alpha=4.4, a=0.8, b=2.4)
    # No repeat purchase: P(alive) = 1, yet the chance of silence is high (and shrinks as the window grows).
    assert bg.p_alive([0], [0], [30])[0] == 1.0
    silent = bg.p_no_purchase([0, 0], [0, 0], [30, 30], t=[10, 40])
    assert 0.5 < silent[1] < silent[0] < 1
    assert silent[0] == pytest.approx(((4.4 + 30) / (4.4 + 40)) ** 0.25)
    # A frequent buyer who just bought is far less likely to stay silent than one gone quiet.
    assert bg.p_no_purchase([10], [29], [30], 20)[0] < bg.p_no_purchase([10], [5], [30], 20)[0]


def synthetic_histories(n: int = 400, seed: int = 3) -> tuple[dict[str, History], set[str]]:
    """Half the customers keep buying every ~20 days; the other half stop after a few orders."""
    rng = random.Random(seed)
    start = date(2024, 1, 1)
    rows, leavers = [], set()
    for i in range(n):
        cid = f"U{i}"
        leaves = i % 2 == 0
        stop = start + timedelta(days=rng.randint(60, 200)) if leaves else date(2025, 1, 1)
        day = start + timedelta(days=rng.randint(0, 40))
        while day <= stop:
            rows.append((cid, day, rng.uniform(10, 90)))
            day += timedelta(days=rng.randint(8, 30))
        if leaves:
            leavers.add(cid)
    return histories_from_rows(rows), leavers


def test_classifier_ranks_leavers_as_risky_and_explains():
    from sklearn.metrics import roc_auc_score

    histories, leavers = synthetic_histories()
    as_of = date(2024, 9, 1)
    model = fit_churn_model(histories, as_of=as_of, config=ChurnConfig(horizon_days=60))
    assert model.classifier is not None
    ids = list(histories)
    scored = model.score_many([histories[c].until(as_of.toordinal()) for c in ids], as_of.toordinal())
    risks = [s[0] for s in scored]
    assert roc_auc_score([c in leavers for c in ids], risks) > 0.9
    assert all(0 <= r <= 1 and t in {"low", "medium", "high"} and reasons for r, t, reasons in scored)
    assert model.clv(histories[ids[1]], as_of.toordinal()) > model.clv(histories[ids[0]], as_of.toordinal())


def test_reasons_read_like_a_person_wrote_them():
    row = dict.fromkeys(FEATURES, 0.0) | {"days_since_last": 140, "repeat_purchases": 5, "mean_gap_days": 30,
                                          "purchases_180d": 2, "mean_spend": 50, "last_spend": 45}
    reasons = explain([row[f] for f in FEATURES], 0.9, "high")
    assert reasons[0] == "no order for 140 days, was ordering every 30 days"
    assert "2 orders in the last 6 months, none in the last 3" in reasons
    single = dict.fromkeys(FEATURES, 0.0) | {"days_since_last": 40}
    assert explain([single[f] for f in FEATURES], 0.8, "high")[0] == "only one order so far, 40 days ago"


def test_no_protected_attributes_in_features():
    protected = ("name", "email", "city", "age", "gender", "signup", "zip", "country")
    assert not [f for f in FEATURES if set(f.split("_")) & set(protected)]


def test_bad_transactions_are_dropped_and_counted(tmp_path):
    path = tmp_path / "tx.csv"
    path.write_text("customer_id,date,amount,order_id\n"
                    "A,2024-01-05,10.0,o1\nA,2024-01-05,10.0,o1\nA,2024-02-01,-5,o2\nB,2999-01-01,12,o3\n"
                    "B,not-a-date,12,o4\nB,2024-03-01,abc,o5\nB,2024-03-02,20,o6\n,2024-03-02,20,o7\n")
    frame, report = load_transactions(path, "csv", today=date(2025, 1, 1))
    assert report.rows == 8 and report.kept == 2
    assert report.dropped == {"duplicate order": 1, "negative amount": 1, "date in the future": 1,
                              "unreadable date": 1, "unreadable amount": 1, "missing customer id": 1}
    assert sorted(frame["customer_id"]) == ["A", "B"]


@pytest.mark.parametrize("content, fmt", [("customer_id,date\nA,2024-01-01\n", "csv"),
                                          ("customer_id,date,amount\nA,2024-01-01,-3\n", "csv"),
                                          ("customer_id,date,amount\n", "xlsx")])
def test_unusable_transactions_raise_bad_input(tmp_path, content, fmt):
    path = tmp_path / "tx.csv"
    path.write_text(content)
    with pytest.raises(BadInput):
        load_transactions(path, fmt)


def write_synthetic_csv(path, n=200):
    histories, _ = synthetic_histories(n)
    rows = [f"{c},{date.fromordinal(d)},{a:.2f}" for c, h in histories.items() for d, a in zip(h.days, h.amounts)]
    path.write_text("customer_id,date,amount\n" + "\n".join(rows) + "\n")


def test_evaluate_churn_cli_prints_the_issue_fields_and_plots(tmp_path):
    from ui.cli import cli

    path = tmp_path / "tx.csv"
    write_synthetic_csv(path)
    out = tmp_path / "plots"
    result = CliRunner().invoke(cli, ["evaluate", "churn", "--transactions", str(path), "--format", "csv",
                                      "--calibration-end", "2024-06-30", "--holdout-end", "2024-09-30", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"n", "roc_auc", "pr_auc", "brier", "baselines"} <= set(data)
    blend = data["blend"]  # the classifier / BG-NBD weight sweep
    assert len(blend["per_weight"]) == 11 and 0 <= blend["pick"] <= 1
    assert all({"roc_auc", "brier"} == set(r["choose"]) == set(r["confirm"]) for r in blend["per_weight"])
    for name in ("bgnbd", "recency"):
        assert set(data["baselines"][name]) == {"roc_auc", "pr_auc", "brier"}
    assert data["roc_auc"] > 0.85  # leavers are obvious in this synthetic store
    assert (out / "churn_calibration.png").stat().st_size > 1000 and (out / "churn_lift.png").exists()
    assert (out / "churn_blend.png").read_bytes()[:4] == b"\x89PNG"


def test_evaluate_rejects_windows_in_the_wrong_order(tmp_path):
    path = tmp_path / "tx.csv"
    write_synthetic_csv(path, 60)
    frame, _ = load_transactions(path)
    with pytest.raises(BadInput):
        evaluate_churn(frame, calibration_end=date(2024, 9, 30), holdout_end=date(2024, 6, 30), out_dir=tmp_path)


# -- blend of classifier and BG/NBD -------------------------------------------------------------

@pytest.fixture(scope="module")
def fitted():
    histories, _ = synthetic_histories()
    as_of = date(2024, 9, 1)
    model = fit_churn_model(histories, as_of=as_of, config=ChurnConfig(horizon_days=60))
    return model, model.rows([histories[c].until(as_of.toordinal()) for c in histories], as_of.toordinal())


def test_blend_weight_0_is_bgnbd_1_is_the_classifier_and_half_is_halfway(fitted):
    model, rows = fitted
    classifier, bgnbd = model.parts(rows)
    assert not np.allclose(classifier, bgnbd)
    np.testing.assert_allclose(model.risks(rows, weight=0), rows[:, FEATURES.index("bgnbd_p_no_purchase")])
    np.testing.assert_allclose(model.risks(rows, weight=1), model.classifier.predict_proba(rows)[:, 1])
    np.testing.assert_allclose(model.risks(rows, weight=0.5), (classifier + bgnbd) / 2)
    np.testing.assert_allclose(model.risks(rows), model.risks(rows, weight=model.config.model_weight))


@pytest.mark.parametrize("weight", [-0.1, 1.5, float("nan"), "0.5", True])
def test_bad_blend_weights_are_refused(fitted, weight):
    with pytest.raises(ValueError, match="must be a number from 0 to 1"):
        ChurnConfig(model_weight=weight)
    with pytest.raises(ValueError, match="must be a number from 0 to 1"):
        fitted[0].risks(fitted[1], weight=weight)


@pytest.mark.parametrize("good", ["model", "bgnbd"])
def test_blend_sweep_picks_the_informative_score_and_confirms_it(good):
    from sklearn.model_selection import StratifiedKFold

    from assistant.customers.churn_eval import blend_sweep

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 4000)
    informative = np.clip(0.5 + 0.3 * (y - 0.5) + rng.normal(0, 0.15, len(y)), 0, 1)  # separates the classes
    noise = rng.uniform(0, 1, len(y))
    model, bgnbd = (informative, noise) if good == "model" else (noise, informative)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(y.reshape(-1, 1), y))
    sweep = blend_sweep(y, model, bgnbd, folds, default=0.5)
    assert [r["w"] for r in sweep["per_weight"]] == [round(0.1 * i, 1) for i in range(11)]
    assert sweep["choose_folds"] == [0, 1] and sweep["confirm_folds"] == [2, 3, 4]
    assert sweep["pick"] >= 0.8 if good == "model" else sweep["pick"] <= 0.2
    assert sweep["decision"].startswith("change")
    assert sweep["confirm"]["pick"]["roc_auc"] > sweep["confirm"]["current_default"]["roc_auc"]
