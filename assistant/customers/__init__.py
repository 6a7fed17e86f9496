"""What the store knows about each customer: profiles and affinities (`profile*.py`), churn risk
(`churn.py`, `btyd.py` for BG/NBD and Gamma-Gamma CLV, `churn_eval.py`) and the retention gesture (`retention.py`)."""
