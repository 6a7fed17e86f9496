"""Experiment reports: a clear effect is called, no effect is not, and customers are the unit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine

from assistant.analytics.events import EventLog, TurnRecord
from assistant.analytics.experiment_report import plot_report, report_experiment
from assistant.analytics.experiments import Experiment, Variant

EXPERIMENT = Experiment("offer", "retention_offer", (Variant("control", 0.5), Variant("code", 0.5, "code")),
                        metric="order", min_sessions=50)


def fill(sessions: dict[str, tuple[int, int]], *, customers_per_variant: int | None = None) -> EventLog:
    """sessions: variant -> (sessions, of which ordered). Each session its own customer unless grouped."""
    log = EventLog(create_engine("sqlite://"), b"k")
    turns, events = [], []
    for variant, (n, ordered) in sessions.items():
        for i in range(n):
            customer = f"{variant}-{i * customers_per_variant // n if customers_per_variant else i}"  # in blocks
            session = f"{variant}-s{i}"
            turns.append(TurnRecord(session_id=session, user_id=customer, intent="product_search", confidence=1.0,
                                    query="q", products=("P1",), experiments={"offer": variant}, reply_id=i + 1))
            if i < ordered:
                events.append({"type": "order", "session_id": session, "product_id": "P1"})
            if i % 4 == 0:
                events.append({"type": "rating", "session_id": session, "reply_id": i + 1, "value": 1})
    log.record_turns(turns)
    for start in range(0, len(events), 1000):
        log.record_many(events[start:start + 1000])
    return log


def test_a_clear_effect_is_conclusive_with_interval_and_p_value():
    report = report_experiment(fill({"control": (400, 40), "code": (400, 100)}), EXPERIMENT)
    control, code = report.variants
    assert control.sessions == code.sessions == 400
    assert control.metrics["order"].rate == pytest.approx(0.10) and code.metrics["order"].rate == pytest.approx(0.25)
    m = code.metrics["order"]
    assert m.significant and m.p_value < 0.001 and m.diff == pytest.approx(0.15)
    assert m.diff_ci[0] < 0.15 < m.diff_ci[1] and m.diff_ci[0] > 0
    assert control.metrics["order"].ci[0] < 0.10 < control.metrics["order"].ci[1]
    assert report.conclusive and "code raises the order rate by 15.0 points" in report.verdict
    assert code.metrics["rating"].rate == 1.0  # thumbs-up share of rated replies
    json.dumps(report.as_dict())


def test_no_difference_is_not_conclusive_and_says_what_could_have_been_seen():
    report = report_experiment(fill({"control": (300, 30), "code": (300, 33)}), EXPERIMENT)
    assert not report.conclusive and not report.variants[1].metrics["order"].significant
    assert "Not conclusive" in report.verdict and "would detect a change of about" in report.verdict


def test_too_few_sessions_are_never_called():
    report = report_experiment(fill({"control": (20, 0), "code": (20, 15)}), EXPERIMENT)
    assert not report.conclusive and "too few sessions" in report.verdict


def test_sessions_of_few_customers_count_as_few_observations():
    """The same rates from 8 customers per arm (50 sessions each) must not look like 400 independent ones."""
    many = report_experiment(fill({"control": (400, 40), "code": (400, 70)}), EXPERIMENT)
    few = report_experiment(fill({"control": (400, 40), "code": (400, 70)}, customers_per_variant=8), EXPERIMENT)
    assert many.variants[1].metrics["order"].significant
    assert few.variants[1].metrics["order"].p_value > many.variants[1].metrics["order"].p_value
    low, high = few.variants[0].metrics["order"].ci
    wide = many.variants[0].metrics["order"].ci
    assert high - low >= wide[1] - wide[0]


def test_the_plot_is_written(tmp_path):
    report = report_experiment(fill({"control": (60, 6), "code": (60, 12)}), EXPERIMENT)
    plot_report(report, tmp_path / "r.png")
    assert (tmp_path / "r.png").stat().st_size > 5000


def test_holm_matches_the_textbook_step_down():
    from assistant.analytics.experiment_report import holm

    reject, adjusted = holm([0.01, 0.04, 0.03], 0.05)
    assert adjusted == pytest.approx([0.03, 0.06, 0.06]) and reject == [True, False, False]
