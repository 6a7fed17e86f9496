"""A/B tests declared in a TOML file: which knob each experiment turns, and who sees what.

    [[experiment]]
    name = "retention-offer"
    parameter = "retention_offer"        # system_prompt | fusion | profile_weight | retention_offer | churn_weight
    metric = "order"                     # click | add_to_cart | order | rating | handoff
    [[experiment.variant]]
    name = "control"                     # no value = today's behaviour
    traffic = 0.5
    [[experiment.variant]]
    name = "free-shipping"
    traffic = 0.5
    value = "free_shipping"

Assignment hashes (experiment name, customer id) into [0, 1): the same customer gets the same
variant in every session and on every server, with nothing stored; guests are bucketed by
session. Traffic that adds up to less than 1 leaves the rest out of the experiment.
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from data.errors import BadInput

RETENTION_OFFERS = ("store_rules", "code", "free_shipping", "none")
FUSION_KEYS = {"dense_weight": float, "bm25_weight": float, "rrf_k": int}
METRICS = ("click", "add_to_cart", "order", "rating", "handoff")


def _check_system_prompt(value: Any) -> str:
    if not isinstance(value, str) or not 20 <= len(value.strip()) <= 4000:
        raise ValueError("a system_prompt value is the prompt's text, 20 to 4,000 characters")
    return value.strip()


def _check_fusion(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping) or not value or set(value) - set(FUSION_KEYS):
        raise ValueError(f"a fusion value is a table with some of {', '.join(FUSION_KEYS)}")
    out = {}
    for key, kind in FUSION_KEYS.items():
        if key in value:
            number = value[key]
            if isinstance(number, bool) or not isinstance(number, int | float) or number < (1 if key == "rrf_k" else 0):
                raise ValueError(f"fusion.{key} must be a number >= {1 if key == 'rrf_k' else 0}")
            out[key] = kind(number)
    if out.get("dense_weight", 1.0) == 0 and out.get("bm25_weight", 1.0) == 0:
        raise ValueError("fusion weights cannot both be 0")
    return out


def _weight(name: str):
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValueError(f"{name} must be a number from 0 to 1")
        return float(value)

    return check


def _check_offer(value: Any) -> str:
    if value not in RETENTION_OFFERS:
        raise ValueError(f"retention_offer must be one of {', '.join(RETENTION_OFFERS)}")
    return value


# The knobs an experiment may turn, and how each variant's value is checked.
PARAMETERS = {"system_prompt": _check_system_prompt, "fusion": _check_fusion, "profile_weight": _weight("profile_weight"),
              "retention_offer": _check_offer, "churn_weight": _weight("churn_weight")}


@dataclass(frozen=True)
class Variant:
    name: str
    traffic: float
    value: Any = None  # None = the default behaviour (a control)


@dataclass(frozen=True)
class Experiment:
    name: str
    parameter: str
    variants: tuple[Variant, ...]
    metric: str = "order"  # the primary metric the verdict is about
    alpha: float = 0.05
    min_sessions: int = 100  # per variant, before a result may be called conclusive
    status: str = "running"  # running | paused (paused: nobody is assigned; reports still work)
    description: str = ""

    @property
    def control(self) -> Variant:
        return self.variants[0]

    def bucket(self, unit: str) -> float:
        """Where a customer (or guest session) falls in [0, 1) for this experiment."""
        digest = hashlib.sha256(f"{self.name}\x00{unit}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    def assign(self, unit: str) -> Variant | None:
        point, edge = self.bucket(unit), 0.0
        for variant in self.variants:
            edge += variant.traffic
            if point < edge:
                return variant
        return None


@dataclass(frozen=True)
class Treatment:
    """What one turn runs with: each experiment's variant and the knob values they set."""

    variants: Mapping[str, str] = field(default_factory=dict)  # experiment -> variant name
    changes: Mapping[str, Any] = field(default_factory=dict)  # parameter -> value

    def get(self, parameter: str, default: Any = None) -> Any:
        return self.changes.get(parameter, default)


NO_TREATMENT = Treatment()


class ExperimentBook:
    """The experiments in a file, checked as a whole (one running experiment per knob)."""

    def __init__(self, experiments: list[Experiment]) -> None:
        by_parameter: dict[str, str] = {}
        names = set()
        for experiment in experiments:
            if experiment.name in names:
                raise BadInput(f"two experiments are named {experiment.name!r}", hint="give each a unique name")
            names.add(experiment.name)
            if experiment.status != "running":
                continue
            other = by_parameter.setdefault(experiment.parameter, experiment.name)
            if other != experiment.name:
                raise BadInput(f"experiments {other!r} and {experiment.name!r} both vary {experiment.parameter!r}",
                               hint="overlapping tests on one knob confound each other: pause one (status = \"paused\")")
        self.experiments = {e.name: e for e in experiments}

    def __len__(self) -> int:
        return len(self.experiments)

    def get(self, name: str) -> Experiment:
        if name not in self.experiments:
            known = ", ".join(sorted(self.experiments)) or "none"
            raise BadInput(f"unknown experiment {name!r}", hint=f"experiments in the file: {known}")
        return self.experiments[name]

    def treatment(self, user_id: str | None, session_id: str | None) -> Treatment:
        """Variants for this customer (guests: this session), with the values they set."""
        unit = f"user:{user_id}" if user_id else (f"session:{session_id}" if session_id else None)
        if unit is None:
            return NO_TREATMENT
        variants, changes = {}, {}
        for experiment in self.experiments.values():
            if experiment.status != "running":
                continue
            variant = experiment.assign(unit)
            if variant is None:
                continue
            variants[experiment.name] = variant.name
            if variant.value is not None:
                changes[experiment.parameter] = variant.value
        return Treatment(variants, changes)


def parse_experiments(data: Mapping) -> ExperimentBook:
    raw = data.get("experiment", [])
    if not isinstance(raw, list):
        raise BadInput("the file must hold [[experiment]] tables")
    return ExperimentBook([_parse_experiment(i, item) for i, item in enumerate(raw)])


def _parse_experiment(index: int, item: Any) -> Experiment:
    where = f"experiment #{index + 1}"
    if not isinstance(item, Mapping):
        raise BadInput(f"{where} is not a table")
    name = item.get("name")
    if not isinstance(name, str) or not name or len(name) > 80 or not all(c.isalnum() or c in "-_." for c in name):
        raise BadInput(f"{where}: name must be 1-80 letters, digits, '-', '_' or '.'")
    where = f"experiment {name!r}"
    unknown = set(item) - {"name", "parameter", "variant", "metric", "alpha", "min_sessions", "status", "description"}
    if unknown:
        raise BadInput(f"{where}: unknown keys {', '.join(sorted(unknown))}")
    parameter = item.get("parameter")
    if parameter not in PARAMETERS:
        raise BadInput(f"{where}: parameter {parameter!r} is not one of {', '.join(PARAMETERS)}")
    metric = item.get("metric", "order")
    if metric not in METRICS:
        raise BadInput(f"{where}: metric {metric!r} is not one of {', '.join(METRICS)}")
    alpha = item.get("alpha", 0.05)
    if not isinstance(alpha, float) or not 0 < alpha < 0.5:
        raise BadInput(f"{where}: alpha must be a number between 0 and 0.5")
    min_sessions = item.get("min_sessions", 100)
    if isinstance(min_sessions, bool) or not isinstance(min_sessions, int) or min_sessions < 1:
        raise BadInput(f"{where}: min_sessions must be a whole number >= 1")
    status = item.get("status", "running")
    if status not in ("running", "paused"):
        raise BadInput(f"{where}: status must be running or paused")
    raw_variants = item.get("variant")
    if not isinstance(raw_variants, list) or len(raw_variants) < 2:
        raise BadInput(f"{where}: needs at least two [[experiment.variant]] tables (the first is the control)")
    variants, seen = [], set()
    for v in raw_variants:
        if not isinstance(v, Mapping) or not isinstance(v.get("name"), str) or not v["name"]:
            raise BadInput(f"{where}: every variant needs a name")
        if v["name"] in seen:
            raise BadInput(f"{where}: variant {v['name']!r} appears twice")
        seen.add(v["name"])
        if set(v) - {"name", "traffic", "value"}:
            raise BadInput(f"{where}, variant {v['name']!r}: unknown keys {', '.join(sorted(set(v) - {'name', 'traffic', 'value'}))}")
        traffic = v.get("traffic")
        if isinstance(traffic, bool) or not isinstance(traffic, int | float) or not 0 < traffic <= 1:
            raise BadInput(f"{where}, variant {v['name']!r}: traffic must be a share in (0, 1]")
        value = v.get("value")
        if value is not None:
            try:
                value = PARAMETERS[parameter](value)
            except ValueError as exc:
                raise BadInput(f"{where}, variant {v['name']!r}: {exc}") from None
        variants.append(Variant(v["name"], float(traffic), value))
    total = sum(v.traffic for v in variants)
    if total > 1 + 1e-9:
        raise BadInput(f"{where}: traffic adds up to {total:g}, more than 1")
    if math.isclose(total, 0):
        raise BadInput(f"{where}: no traffic")
    return Experiment(name, parameter, tuple(variants), metric, alpha, min_sessions, status,
                      str(item.get("description", "")))


def load_experiments(path: Path | None) -> ExperimentBook:
    """The experiment file, checked; no file = no experiments."""
    if path is None:
        return ExperimentBook([])
    path = Path(path).expanduser()
    if not path.is_file():
        raise BadInput(f"experiment file {path} not found", hint="fix SHOPASSIST_EXPERIMENTS__FILE or unset it")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path} is not valid TOML: {exc}", hint="see docs/experiments.md for the format") from None
    return parse_experiments(data)
