"""The fast head: one MiniLM forward pass reads the state lines and the message and says the commands.

    head = CommandHead.load(folder)                     # finetune/commands_model/head: LoRA-tuned MiniLM + label heads
    reading = head.read(state_text, message)            # Reading(commands=[...], confidence=0.97)

Which commands (several at once: one yes/no per kind), the slots a store names (category, product type,
policy topics: one label each), the choices of the language (sort, direction, what an order question asks,
...), and the slots the shopper spells out (brands, budgets, item words, an address: tagged word by word in the
message, BIO). The same command data trains it as the chat model (`finetune/commands/train_head.py`); the
understanding step trusts it when it is sure enough (`UnderstandingSettings.sure`) and its reading checks out, and
asks the chat model otherwise.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.commands import (
    AskShown,
    Command,
    OrderChange,
    OrderIssue,
    OrderRef,
    OrderStatus,
    Policy,
    Refine,
    SearchProducts,
)
from assistant.understand.command_text import SPEC

TAGS = ("words", "brand", "not_brand", "attr", "min", "max", "around", "item", "id", "email", "address")
CHOICES: dict[str, tuple[str, ...]] = {
    "sort": ("relevance", "price_asc", "price_desc", "rating"),
    "direction": ("none", "cheaper", "pricier", "more", "other_brand"),
    "asks": ("none", "status", "date", "items", "return_status"),
    "change": ("none", "cancel", "return", "address"),
    "problem": ("none", "damaged", "wrong_item", "missing"),
    "which": ("latest", "previous", "this"),
    "reason": ("none", "person", "money"),
}
ABOUTS = ("attribute", "compare", "best_rated", "cheapest", "priciest", "price", "stock", "details")
REFS = ("1", "2", "3", "4", "-1")
KINDS = tuple(SPEC)
NUMBER_WORDS = {"ten": 10, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                "ninety": 90, "hundred": 100, "a hundred": 100, "one hundred": 100, "two hundred": 200, "five hundred": 500,
                "a thousand": 1000, "one thousand": 1000}


@dataclass(frozen=True)
class Labels:
    """The head's outputs, by store: its categories, product types and policy topics (saved beside the weights)."""

    categories: tuple[str, ...]  # index 0 is "none"
    types: tuple[str, ...]  # index 0 is "none"
    topics: tuple[str, ...]

    def single(self) -> dict[str, tuple[str, ...]]:
        return {**CHOICES, "category": self.categories, "product_type": self.types}

    def multi(self) -> dict[str, tuple[str, ...]]:
        return {"kinds": KINDS, "about": ABOUTS, "refs": REFS, "topics": self.topics, "stock": ("yes",)}

    @property
    def tags(self) -> tuple[str, ...]:
        return ("O",) + tuple(f"{edge}-{tag}" for tag in TAGS for edge in ("B", "I"))

    encoder: str | None = None  # the encoder folder it was trained on; None = the packaged MiniLM

    def to_json(self, *, encoder: Path | None = None) -> str:
        return json.dumps({"categories": self.categories, "types": self.types, "topics": self.topics,
                           "encoder": str(encoder) if encoder else None}, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Labels:
        data = json.loads(text)
        return cls(tuple(data["categories"]), tuple(data["types"]), tuple(data["topics"]), data.get("encoder"))


@dataclass
class Reading:
    commands: list[Command]
    confidence: float  # the least sure decision it made, 0..1
    detail: dict[str, Any] = field(default_factory=dict)


def build_network(encoder, labels: Labels):
    """The MiniLM encoder with one linear layer per output; the pooled vector is the mean over real tokens."""
    import torch
    from torch import nn

    class CommandNetwork(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            hidden = encoder.config.hidden_size
            self.encoder = encoder
            self.single = nn.ModuleDict({k: nn.Linear(hidden, len(v)) for k, v in labels.single().items()})
            self.multi = nn.ModuleDict({k: nn.Linear(hidden, len(v)) for k, v in labels.multi().items()})
            self.tagger = nn.Linear(hidden, len(labels.tags))

        def forward(self, input_ids, attention_mask, token_type_ids):
            states = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return ({k: layer(pooled) for k, layer in self.single.items()},
                    {k: layer(pooled) for k, layer in self.multi.items()}, self.tagger(states))

    torch.manual_seed(0)
    return CommandNetwork()


class CommandHead:
    def __init__(self, network, tokenizer, labels: Labels, *, max_length: int = 256) -> None:
        self.network, self.tokenizer, self.labels, self.max_length = network, tokenizer, labels, max_length

    @classmethod
    def load(cls, folder: Path, base: Path | None = None) -> CommandHead:
        """A trained head: its encoder (the packaged MiniLM unless it was trained on another), the LoRA and the
        output layers from `folder`."""
        from peft import PeftModel
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer

        from retrieval.embed import packaged_embedder_dir

        labels = Labels.from_json((folder / "labels.json").read_text(encoding="utf-8"))
        base = base or (Path(labels.encoder) if labels.encoder else packaged_embedder_dir())
        encoder = PeftModel.from_pretrained(AutoModel.from_pretrained(base), folder / "encoder").merge_and_unload()
        network = build_network(encoder, labels)
        state = load_file(str(folder / "outputs.safetensors"))
        network.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
        network.eval()
        return cls(network, AutoTokenizer.from_pretrained(base), labels)

    def encode(self, state_text: str, message: str):
        return self.tokenizer(state_text, message, truncation="only_first", max_length=self.max_length,
                              return_offsets_mapping=True, return_tensors="pt")

    def read(self, state_text: str, message: str) -> Reading:
        import torch

        batch = self.encode(state_text, message)
        offsets = batch.pop("offset_mapping")[0].tolist()
        sequence = batch.sequence_ids(0)
        with torch.inference_mode():
            single, multi, tags = self.network(**batch)
        single = {k: torch.softmax(v[0], -1) for k, v in single.items()}
        multi = {k: torch.sigmoid(v[0]) for k, v in multi.items()}
        tag_probs = torch.softmax(tags[0], -1)
        spans, tag_confidence = _spans(tag_probs, offsets, sequence, message, self.labels.tags)
        return decode(self.labels, single, multi, spans, tag_confidence)


def _spans(tag_probs, offsets, sequence, message: str, names: tuple[str, ...]) -> tuple[dict[str, list[str]], float]:
    """The message's tagged stretches by tag ({"brand": ["Trailform"], "max": ["100"]}) and the least sure tag."""
    best = tag_probs.argmax(-1).tolist()
    sure = tag_probs.max(-1).values.tolist()
    spans: dict[str, list[list[int]]] = {}
    open_tag, confidence = None, 1.0
    for i, (label, (start, end)) in enumerate(zip(best, offsets)):
        if sequence[i] != 1 or start == end:
            continue
        confidence = min(confidence, sure[i])
        name = names[label]
        if name == "O":
            open_tag = None
            continue
        edge, tag = name.split("-", 1)
        if edge == "I" and open_tag == tag and spans[tag]:
            spans[tag][-1][1] = end
        else:
            spans.setdefault(tag, []).append([start, end])
        open_tag = tag
    words = {tag: [_extend(message, s, e) for s, e in ranges] for tag, ranges in spans.items()}
    return words, confidence


def _extend(message: str, start: int, end: int) -> str:
    """A tagged stretch grown to whole words (word pieces cut "Trailform" into pieces)."""
    while start > 0 and message[start - 1].isalnum():
        start -= 1
    while end < len(message) and message[end].isalnum():
        end += 1
    return message[start:end].strip(" ,.;:!?\"'")


def amount(text: str) -> float | None:
    """"$1,200" -> 1200, "1.5k" -> 1500, "fifty" -> 50; None when it holds no amount."""
    low = text.lower().strip()
    if low in NUMBER_WORDS:
        return float(NUMBER_WORDS[low])
    match = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(k\b)?", low)
    if not match:
        return None
    value = float(match.group(1).replace(",", ""))
    return value * 1000 if match.group(2) else value


def decode(labels: Labels, single: dict, multi: dict, spans: dict[str, list[str]], tag_confidence: float) -> Reading:
    """Commands from the head's outputs; the confidence is the least sure of the decisions they needed."""
    kinds = [k for k, p in zip(KINDS, multi["kinds"].tolist()) if p >= 0.5]
    kind_probs = multi["kinds"].tolist()
    if not kinds:
        kinds = [KINDS[max(range(len(KINDS)), key=lambda i: kind_probs[i])]]
    sure = [max(p, 1 - p) for p in kind_probs]
    choice = {k: v.argmax().item() for k, v in single.items()}
    chosen = lambda name: labels.single()[name][choice[name]]  # noqa: E731
    confident = lambda name: single[name].max().item()  # noqa: E731
    picked = lambda name: tuple(o for o, p in zip(labels.multi()[name], multi[name].tolist()) if p >= 0.5)  # noqa: E731
    first = lambda tag: spans.get(tag, [None])[0]  # noqa: E731
    prices = {k: amount(first(k) or "") for k in ("min", "max", "around")}
    commands: list[Command] = []
    for kind in kinds:
        if kind in ("search", "refine"):
            sure += [confident("category"), confident("product_type"), confident("sort"), tag_confidence]
            filters = dict(price_min=prices["min"], price_max=prices["max"], price_around=prices["around"],
                           brands=tuple(spans.get("brand", ())), exclude_brands=tuple(spans.get("not_brand", ())),
                           attributes=tuple(a.lower() for a in spans.get("attr", ())), in_stock=bool(picked("stock")),
                           sort=chosen("sort"), words=" ".join(spans.get("words", ())).lower())
            if kind == "search":
                category = None if choice["category"] == 0 else chosen("category")
                product_type = None if choice["product_type"] == 0 else chosen("product_type")
                commands.append(SearchProducts(category=category, product_type=product_type, **filters))
            else:
                sure.append(confident("direction"))
                direction = None if choice["direction"] == 0 else chosen("direction")
                commands.append(Refine(direction=direction, **filters))
        elif kind == "ask":
            sure.append(tag_confidence)
            about = picked("about") or (labels.multi()["about"][multi["about"].argmax().item()],)
            refs = tuple(int(r) for r in picked("refs"))
            commands.append(AskShown(about=about, refs=refs, attributes=tuple(a.lower() for a in spans.get("attr", ()))))
        elif kind in ("order_status", "order_change", "order_issue"):
            sure += [confident("which"), tag_confidence]
            ref = OrderRef(order_id=(first("id") or "").upper() or None, item=(first("item") or "").lower() or None,
                           which=chosen("which"), email=first("email"))
            if kind == "order_status":
                asks = "status" if choice["asks"] == 0 else chosen("asks")
                commands.append(OrderStatus(ref, asks))
            elif kind == "order_change":
                sure.append(confident("change"))
                change = "cancel" if choice["change"] == 0 else chosen("change")
                commands.append(OrderChange(change, ref, new_address=first("address")))
            else:
                problem = "damaged" if choice["problem"] == 0 else chosen("problem")
                commands.append(OrderIssue(problem, ref))
        elif kind == "policy":
            topics = picked("topics") or (labels.topics[multi["topics"].argmax().item()],)
            commands.append(Policy(topics=topics))
        elif kind == "handoff":
            reason = "person" if choice["reason"] == 0 else chosen("reason")
            commands.append(SPEC[kind][0](reason))
        else:
            commands.append(SPEC[kind][0]())
    return Reading(commands, min(sure) if sure else 0.0, {"kinds": kinds})
