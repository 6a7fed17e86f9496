"""Intent detection by the chat model itself, constrained to the label set.

The model reads a classification prompt once; then every label's tokens are scored in one
batched forward pass over the shared prompt cache. Softmax over the label log-likelihoods
(divided by a calibration temperature) gives probabilities; below the threshold the detector
abstains to ``out_of_scope``. The one-pass scorer of the label trie is ``tree_scorer.TreeScorer``.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass
from pathlib import Path

from assistant.generation.model import LoadedModel
from assistant.types import Intent
from assistant.understand.tree_scorer import TreeScorer

# The 31-label taxonomy: Bitext's 27 customer-service intents plus four of ours.
INTENTS: dict[str, str] = {
    "cancel_order": "cancel an order",
    "change_order": "change items in an order",
    "change_shipping_address": "change the delivery address of an order",
    "check_cancellation_fee": "ask about the cancellation fee",
    "check_invoice": "look at an invoice",
    "check_payment_methods": "ask which payment methods are accepted",
    "check_refund_policy": "ask about the refund policy",
    "complaint": "complain about a product or the service",
    "contact_customer_service": "reach customer service",
    "contact_human_agent": "talk to a human agent",
    "create_account": "open an account",
    "delete_account": "close or delete an account",
    "delivery_options": "ask about shipping options",
    "delivery_period": "ask how long delivery takes",
    "edit_account": "change account details",
    "get_invoice": "get an invoice",
    "get_refund": "get money back",
    "newsletter_subscription": "subscribe to or leave the newsletter",
    "payment_issue": "report a payment problem",
    "place_order": "buy or order something",
    "recover_password": "reset a forgotten password",
    "registration_problems": "report a sign-up problem",
    "review": "leave feedback or a review",
    "set_up_shipping_address": "add a shipping address",
    "switch_account": "switch to another account",
    "track_order": "ask where an order is",
    "track_refund": "ask about the status of a refund",
    "product_search": "find, compare or get recommendations for products",
    "greeting": "say hello",
    "goodbye": "say goodbye or thanks",
    "out_of_scope": "anything a store assistant does not handle",
}
OUT_OF_SCOPE = "out_of_scope"
SHOPPING_INTENTS = frozenset({"product_search", "place_order"})

# The untuned model needs every label spelled out; the tuned adapter learned the labels, so a
# short fixed system prompt (cached once) keeps a message to ~20 new tokens.
LONG_SYSTEM = (
    "You label a shop customer's message with exactly one intent.\nIntents:\n"
    + "\n".join(f"{label}: {description}" for label, description in INTENTS.items())
    + "\nAnswer with the intent name only."
)
SHORT_SYSTEM = "Label the shop customer's message with one intent."
CALIBRATION_FILE = "intent_calibration.json"  # temperature + threshold saved beside an adapter
HEAD_FILE = "intent_head.npz"  # sentence-embedding logistic head fused with the model's label scores
HEAD_WEIGHT = 0.5  # default when the calibration file has no `head_weight` (chosen on held-out training sources)
_SLOT = "\x00"


def intent_messages(text: str, *, short: bool = True) -> list[dict[str, str]]:
    """The chat the detector scores; fine-tuning trains on the same messages."""
    return [{"role": "system", "content": SHORT_SYSTEM if short else LONG_SYSTEM}, {"role": "user", "content": text}]


def prompt_parts(tokenizer, *, short: bool = True) -> tuple[list[int], list[int]]:
    """Token ids before and after the user's text: the prefix is fixed, so its cache is reused."""
    chat = tokenizer.apply_chat_template(intent_messages(_SLOT, short=short), tokenize=False, add_generation_prompt=True)
    before, after = chat.split(_SLOT)
    encode = lambda s: tokenizer(s, add_special_tokens=False)["input_ids"]  # noqa: E731
    return encode(before), encode(after)


def encode_intent(tokenizer, text: str, *, short: bool = True) -> list[int]:
    """Prompt ids for one message, built exactly as at serving time (training uses this too)."""
    before, after = prompt_parts(tokenizer, short=short)
    return before + tokenizer(text, add_special_tokens=False)["input_ids"] + after


def label_token_ids(tokenizer) -> list[list[int]]:
    """Each label's answer tokens, ending with <|im_end|> so a label is never a prefix of another."""
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    return [tokenizer(label, add_special_tokens=False)["input_ids"] + [end] for label in INTENTS]


def branch_points(label_ids: list[list[int]]) -> list[tuple[int, ...]]:
    """Prefixes (of the label token sequences) where labels diverge: the only places where the
    constrained distribution is not 1, so the only positions the model must score."""
    children: dict[tuple[int, ...], set[int]] = {}
    for ids in label_ids:
        for depth in range(len(ids)):
            children.setdefault(tuple(ids[:depth]), set()).add(ids[depth])
    return [prefix for prefix, nxt in children.items() if len(nxt) > 1]


def load_intent_calibration(adapter: Path | None) -> dict:
    """Temperature and threshold chosen on the dev set, saved beside the adapter ({} if none)."""
    if adapter is None or not (adapter / CALIBRATION_FILE).exists():
        return {}
    return json.loads((adapter / CALIBRATION_FILE).read_text(encoding="utf-8"))


def fuse(lm: list[float], head: list[float], weight: float) -> list[float]:
    """Weighted mean of the model's (normalized) label log-probabilities and the head's."""
    top = max(lm)
    norm = top + math.log(sum(math.exp(s - top) for s in lm))
    return [(1 - weight) * (s - norm) + weight * h for s, h in zip(lm, head)]


class EmbeddingHead:
    """Multinomial logistic regression on MiniLM sentence embeddings, trained with the adapter.

    The 135M model's label scores are sharp on phrasings it was tuned on and brittle on new
    ones; the embedding head generalizes across phrasings. Their log-probabilities are averaged.
    """

    def __init__(self, path: Path, embedder=None) -> None:
        import numpy as np

        saved = np.load(path, allow_pickle=False)
        index = {label: i for i, label in enumerate(saved["classes"].tolist())}
        missing = [label for label in INTENTS if label not in index]
        rows = [index.get(label, 0) for label in INTENTS]
        self.coef = saved["coef"][rows]  # (labels, dim)
        self.intercept = saved["intercept"][rows]  # (labels,)
        self.intercept[[list(INTENTS).index(m) for m in missing]] = -1e4  # never predicted
        self._embedder = embedder

    def log_probs(self, text: str, vector=None) -> list[float]:
        """`vector`: the message's unit MiniLM vector when the caller has it already (the product store's query
        vector: the same model, so the catalog evidence, the head and the later search embed a message once)."""
        import numpy as np

        if vector is None:
            if self._embedder is None:
                from retrieval.embed import load_embedder

                self._embedder = load_embedder()
            vector = self._embedder.encode([text], normalize_embeddings=True)[0]  # (dim,)
        vector = np.asarray(vector, dtype=self.coef.dtype)
        logits = self.coef @ vector + self.intercept
        logits -= logits.max()
        return (logits - np.log(np.exp(logits).sum())).tolist()


def load_intent_head(adapter: Path | None, embedder=None) -> EmbeddingHead | None:
    """The head shipped beside the adapter; pass the retriever's embedder to avoid a second copy."""
    if adapter is None or not (adapter / HEAD_FILE).exists():
        return None
    return EmbeddingHead(adapter / HEAD_FILE, embedder)


@dataclass
class IntentConfig:
    threshold: float = 0.0  # abstain to out_of_scope below this probability
    temperature: float = 1.0  # calibration: probabilities = softmax(loglik / temperature)
    short_prompt: bool = False  # True for the tuned adapter (it learned the labels), False for the base model
    head_weight: float = HEAD_WEIGHT  # weight of the embedding head's log-probabilities in the fusion

    def __post_init__(self) -> None:
        if not 0.0 <= self.head_weight <= 1.0:
            raise ValueError("head_weight must be within [0, 1]")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError("threshold must be within [0, 1]")
        if self.temperature <= 0:
            raise ValueError("temperature must be > 0")


def intent_config_for(loaded: LoadedModel, threshold: float) -> IntentConfig:
    """The tuned adapter's saved calibration (short prompt), else the base model's long prompt."""
    saved = load_intent_calibration(loaded.adapter)
    if not saved:
        return IntentConfig(threshold=threshold)
    return IntentConfig(threshold=threshold or saved.get("threshold", 0.0), temperature=saved.get("temperature", 1.0), short_prompt=True,
                        head_weight=saved.get("head_weight", HEAD_WEIGHT))


class ModelIntentClassifier:
    """Scores every label with the chat model, constrained to the label set (a token trie)."""

    def __init__(self, loaded: LoadedModel, config: IntentConfig | None = None, head: EmbeddingHead | None = None,
                 *, fast: bool = True) -> None:
        self.loaded = loaded
        self.config = config or IntentConfig()
        self.head = head
        self.labels = list(INTENTS)
        tokenizer = loaded.tokenizer
        self._label_ids = label_token_ids(tokenizer)
        self._branches = branch_points(self._label_ids)
        self._allowed = {b: sorted({ids[len(b)] for ids in self._label_ids if tuple(ids[: len(b)]) == b}) for b in self._branches}
        self._prefix_ids, self._suffix_ids = prompt_parts(tokenizer, short=self.config.short_prompt)
        self._prefix_cache = None  # keys/values of the fixed system prefix, computed once
        self._tree: TreeScorer | None = None
        self._tree_ok = fast

    def _prefix(self):
        import torch

        if self._prefix_cache is None:
            ids = torch.tensor([self._prefix_ids], device=self.loaded.device)
            with torch.inference_mode():
                self._prefix_cache = self.loaded.model(input_ids=ids, use_cache=True).cache
        return copy.deepcopy(self._prefix_cache)

    def log_likelihoods(self, text: str) -> list[float]:
        """Constrained log-probability of each label: at every point where labels diverge the
        model's next-token distribution is renormalized over the allowed tokens. Only the logits
        of those few tokens are computed (the full 49k-vocabulary head would dominate the cost)."""
        tree = self._tree_scorer()
        if tree is not None:
            new_ids = self.loaded.tokenizer(text, add_special_tokens=False)["input_ids"] + self._suffix_ids
            step = tree.step_log_probs(new_ids)
            step_logp = {(branch, token): value for branch, allowed in self._allowed.items() for token, value in zip(allowed, step[branch])}
            return [sum(step_logp.get((tuple(ids[:d]), ids[d]), 0.0) for d in range(len(ids))) for ids in self._label_ids]
        return self._log_likelihoods_hf(text)

    def _tree_scorer(self) -> TreeScorer | None:
        """The one-pass scorer over the fast engine's weights; None (HF path) for other architectures."""
        if self._tree is None and self._tree_ok:
            try:
                self._tree = TreeScorer(self.loaded.model, self._prefix_ids, self._branches, self._allowed)
            except (ValueError, AttributeError, TypeError):
                self._tree_ok = False
        return self._tree

    def _log_likelihoods_hf(self, text: str) -> list[float]:
        """The same scores through Hugging Face modules and a copied prefix cache (reference path)."""
        import torch

        tokenizer, model, device = self.loaded.tokenizer, self.loaded.model, self.loaded.device
        backbone, head = model.get_decoder(), model.get_output_embeddings().weight  # (vocab, dim)
        new_ids = tokenizer(text, add_special_tokens=False)["input_ids"] + self._suffix_ids
        total = len(self._prefix_ids) + len(new_ids)
        with torch.inference_mode():
            cache = self._prefix()
            first = backbone(input_ids=torch.tensor([new_ids], device=device), cache=cache, use_cache=True)
            hidden = {(): first.last_hidden_state[0, -1]}  # (dim,)
            deeper = [b for b in self._branches if b]
            if deeper:  # one batched pass over the shared label prefixes, e.g. "check_", "track_"
                width = max(map(len, deeper))
                ids = torch.full((len(deeper), width), tokenizer.pad_token_id or 0, dtype=torch.long)
                mask = torch.zeros((len(deeper), total + width), dtype=torch.long)
                mask[:, :total] = 1
                for row, branch in enumerate(deeper):
                    ids[row, : len(branch)] = torch.tensor(branch)
                    mask[row, total: total + len(branch)] = 1
                cache.batch_repeat_interleave(len(deeper))
                positions = torch.arange(total, total + width, device=device).expand(len(deeper), -1)
                out = backbone(input_ids=ids.to(device), attention_mask=mask.to(device), position_ids=positions, cache=cache)
                for row, branch in enumerate(deeper):
                    hidden[branch] = out.last_hidden_state[row, len(branch) - 1]
            # log P(token | branch) over the allowed tokens only
            step_logp: dict[tuple[tuple[int, ...], int], float] = {}
            for branch, allowed in self._allowed.items():
                logits = (head[allowed] @ hidden[branch].to(head.dtype)).float()  # (allowed,)
                for token, value in zip(allowed, torch.log_softmax(logits, 0).tolist()):
                    step_logp[branch, token] = value
        return [sum(step_logp.get((tuple(ids[:d]), ids[d]), 0.0) for d in range(len(ids))) for ids in self._label_ids]

    def scores(self, text: str) -> list[float]:
        """Label log-scores: the model's constrained log-likelihoods, fused with the head when shipped."""
        return self._fused(text, self.head.log_probs(text) if self.head is not None else None)

    def _fused(self, text: str, head: list[float] | None) -> list[float]:
        if head is None:
            return self.log_likelihoods(text)
        weight = self.config.head_weight
        if weight >= 1.0:
            return head
        return fuse(self.log_likelihoods(text), head, weight)

    def _softmax(self, scores: list[float]) -> list[float]:
        scores = [s / self.config.temperature for s in scores]
        top = max(scores)
        weights = [math.exp(s - top) for s in scores]
        total = sum(weights)
        return [w / total for w in weights]

    def classify(self, text: str) -> Intent:
        return self.intent_from(text, self.head_log_probs(text))

    def analyse(self, text: str, vector=None) -> tuple[Intent, list[float] | None]:
        """The intent, and the embedding head's own label log-probabilities (None without a head): the
        shopping gate reads the head, which generalizes across phrasings, beside the catalog evidence."""
        head = self.head_log_probs(text, vector)
        return self.intent_from(text, head), head

    def head_log_probs(self, text: str, vector=None) -> list[float] | None:
        """The embedding head's label log-probabilities alone (milliseconds; None without a head)."""
        return self.head.log_probs(text, vector) if self.head is not None else None

    def intent_from(self, text: str, head: list[float] | None) -> Intent:
        """The intent: the tuned model's label scores (the one costly step) fused with the head's `head`."""
        ranked = sorted(zip(self.labels, self._softmax(self._fused(text, head))), key=lambda p: -p[1])
        label, confidence = ranked[0]
        abstained = confidence < self.config.threshold and label != OUT_OF_SCOPE
        intent = Intent(
            label=OUT_OF_SCOPE if abstained else label,
            confidence=confidence,
            abstained=abstained,
            scores=tuple((name, round(p, 4)) for name, p in ranked[:5]),
        )
        return intent
