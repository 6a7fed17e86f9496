"""The ground floor: the store's data (schemas, loaders, the seeded demo store) and the errors every layer raises."""

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent / "demo"  # the seeded demo store shipped with the package
