"""What the profile book keeps on disk under `home`/profiles: the cached churn fit, the hashed ids of
forgotten customers (kept out of every rebuild) and the JSON Lines snapshot of every customer's view."""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.customers.churn import ChurnConfig, ChurnModel, History, fit_churn_model

if TYPE_CHECKING:
    from assistant.customers.profile import ProfileBook


def profiles_dir(home: Path) -> Path:
    return home / "profiles"


def hashed(user_id: str) -> str:
    """How a forgotten id is remembered: only to keep it out of the next rebuild."""
    return hashlib.sha256(user_id.encode()).hexdigest()


def forgotten_ids(home: Path | None) -> set[str]:
    path = profiles_dir(home) / "forgotten.txt" if home else None
    return set(path.read_text(encoding="utf-8").split()) if path and path.exists() else set()


def fit_or_load_churn(histories: dict[str, History], *, as_of: date, config: ChurnConfig, home: Path | None) -> ChurnModel:
    """Fit, or reuse the model fitted on exactly this history (cached under `home`): keeps startup short."""
    if home is None:
        return fit_churn_model(histories, as_of=as_of, config=config)
    # The blend weight does not change the fit: a cached model serves every weight.
    fit_config = replace(config, model_weight=1.0)
    key = hashlib.sha256(repr((sorted(histories.items()), as_of, fit_config)).encode()).hexdigest()[:20]
    path = profiles_dir(home) / f"churn-{key}.pkl"
    if path.exists():
        try:
            with path.open("rb") as f:
                model = pickle.load(f)
            model.config = config
            return model
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            path.unlink(missing_ok=True)  # broken, or written by a version whose classes lived elsewhere: refit below
    model = fit_churn_model(histories, as_of=as_of, config=config)
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("churn-*.pkl"):  # a forgotten customer's history must not linger in an old fit
        old.unlink()
    with path.open("wb") as f:
        pickle.dump(model, f)
    return model


def erase_from_files(home: Path, user_id: str) -> None:
    """Right to be forgotten, on disk: drop the churn fits (they saw the customer), remember the hashed
    id so rebuilds leave the customer out, and remove their line from the snapshot."""
    folder = profiles_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    for model in folder.glob("churn-*.pkl"):  # fitted with this customer's history
        model.unlink()
    with (folder / "forgotten.txt").open("a", encoding="utf-8") as f:
        f.write(hashed(user_id) + "\n")
    snapshot = folder / "profiles.jsonl"
    if snapshot.exists():
        kept = [line for line in snapshot.read_text(encoding="utf-8").splitlines() if json.loads(line)["user_id"] != user_id]
        snapshot.write_text("".join(line + "\n" for line in kept), encoding="utf-8")


def save_profiles(book: ProfileBook, folder: Path) -> Path:
    """Write every customer's view (no contact details) as JSON Lines, for analysts and the API."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "profiles.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for user_id in sorted(book.customers):
            view = asdict(book.view(user_id))
            view["picks"] = [p["id"] for p in view["picks"]]
            f.write(json.dumps(view) + "\n")
    return path
