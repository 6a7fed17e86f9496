"""One script per figure in docs/benchmarks.md (`python -m benchmarks.<name>`), and the `shopassist bench` commands (`cli.py`)."""
