"""Intent detection by the chat model itself, constrained to the label set.

The model reads a classification prompt once; then every label's tokens are scored in one
batched forward pass over the shared prompt cache. Softmax over the label log-likelihoods
(divided by a calibration temperature) gives probabilities; below the threshold the detector
abstains to ``out_of_scope``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from assistant.model import LoadedModel
from assistant.types import Intent

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

PROMPT_VERSION = "intent@1"
SYSTEM_PROMPT = (
    "You label a shop customer's message with exactly one intent.\nIntents:\n"
    + "\n".join(f"{label}: {description}" for label, description in INTENTS.items())
    + "\nAnswer with the intent name only."
)


def intent_messages(text: str) -> list[dict[str, str]]:
    """The chat the detector scores; fine-tuning trains on the same messages."""
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": text}]


@dataclass
class IntentConfig:
    threshold: float = 0.0  # abstain to out_of_scope below this probability
    temperature: float = 1.0  # calibration: probabilities = softmax(loglik / temperature)

    def __post_init__(self) -> None:
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError("threshold must be within [0, 1]")
        if self.temperature <= 0:
            raise ValueError("temperature must be > 0")


class ModelIntentClassifier:
    def __init__(self, loaded: LoadedModel, config: IntentConfig | None = None) -> None:
        self.loaded = loaded
        self.config = config or IntentConfig()
        self.labels = list(INTENTS)
        tokenizer = loaded.tokenizer
        end = tokenizer.convert_tokens_to_ids("<|im_end|>")
        self._label_ids = [tokenizer(label, add_special_tokens=False)["input_ids"] + [end] for label in self.labels]

    def log_likelihoods(self, text: str) -> list[float]:
        """Sum of log-probabilities of each label's tokens after the prompt."""
        import torch

        tokenizer, model, device = self.loaded.tokenizer, self.loaded.model, self.loaded.device
        chat = tokenizer.apply_chat_template(intent_messages(text), tokenize=False, add_generation_prompt=True)
        prompt_ids = tokenizer(chat, return_tensors="pt", add_special_tokens=False)["input_ids"].to(device)
        n, width = len(self._label_ids), max(map(len, self._label_ids))
        label_ids = torch.full((n, width), tokenizer.pad_token_id, dtype=torch.long)
        label_mask = torch.zeros((n, width), dtype=torch.long)
        for row, ids in enumerate(self._label_ids):
            label_ids[row, : len(ids)] = torch.tensor(ids)
            label_mask[row, : len(ids)] = 1
        label_ids, label_mask = label_ids.to(device), label_mask.to(device)
        with torch.inference_mode():
            first = model(input_ids=prompt_ids, use_cache=True)
            cache = first.cache
            cache.batch_repeat_interleave(n)  # share the prompt's keys/values across labels
            attention = torch.cat([torch.ones((n, prompt_ids.shape[1]), dtype=torch.long, device=device), label_mask], 1)
            rest = model(input_ids=label_ids, attention_mask=attention, cache=cache)
            # logits predicting label token j: prompt's last position for j=0, label position j-1 after
            logits = torch.cat([first.logits[:, -1:, :].expand(n, 1, -1), rest.logits[:, :-1, :]], 1)
            logprobs = torch.log_softmax(logits.float(), -1).gather(2, label_ids.unsqueeze(-1)).squeeze(-1)
            return (logprobs * label_mask).sum(1).tolist()

    def classify(self, text: str) -> Intent:
        scores = [s / self.config.temperature for s in self.log_likelihoods(text)]
        top = max(scores)
        weights = [math.exp(s - top) for s in scores]
        total = sum(weights)
        ranked = sorted(zip(self.labels, (w / total for w in weights)), key=lambda p: -p[1])
        label, confidence = ranked[0]
        abstained = confidence < self.config.threshold and label != OUT_OF_SCOPE
        return Intent(
            label=OUT_OF_SCOPE if abstained else label,
            confidence=confidence,
            abstained=abstained,
            scores=tuple((name, round(p, 4)) for name, p in ranked[:5]),
        )
