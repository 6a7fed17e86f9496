"""Measuring the store: the pseudonymized event log (`events.py`), the dashboard's numbers
(`insights.py`, `insight_types.py`) and A/B experiments with their reports (`experiments.py`,
`experiment_report.py`); `assistant/simulation.py` drives the turn with scripted shoppers to exercise them."""
