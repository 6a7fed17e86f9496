"""Real utterances with the commands they stand for: Bitext and Banking77 service questions, WANDS product
queries. They bring phrasings no template has; held-out blocks (the last Bitext rows of each intent, whole
WANDS query classes) go to the held-out set, and every text of `intents_dev_real.csv` is left out of both."""

from __future__ import annotations

import random
import re
from pathlib import Path

from assistant.commands import Command, Handoff, OrderChange, OrderRef, OrderStatus, OutOfScope, Policy, SearchProducts
from finetune.commands.example import Example
from finetune.commands.shopping_words import SYNONYMS
from finetune.commands.store import StoreFacts
from finetune.dataset import BANKING_OOS, fill_placeholders, read_table

# Intent -> (command kind, detail); the policy topics are keys matched against the store's policy file names.
BITEXT = {
    "cancel_order": ("change", "cancel"), "change_shipping_address": ("change", "address"), "get_refund": ("change", "return"),
    "track_order": ("status", "status"), "track_refund": ("status", "return_status"),
    "check_cancellation_fee": ("policy", "refund"), "check_refund_policy": ("policy", "refund"),
    "check_payment_methods": ("policy", "payment"), "payment_issue": ("policy", "payment"),
    "delivery_options": ("policy", "ship"), "delivery_period": ("policy", "ship"),
    **dict.fromkeys(("create_account", "delete_account", "edit_account", "recover_password", "registration_problems",
                     "switch_account", "newsletter_subscription", "set_up_shipping_address"), ("policy", "account")),
    **dict.fromkeys(("complaint", "contact_customer_service", "contact_human_agent"), ("handoff", "person")),
}
BANKING = {
    "request_refund": ("change", "return"), "Refund_not_showing_up": ("handoff", "money"),
    "transaction_charged_twice": ("handoff", "money"), "edit_personal_details": ("policy", "account"),
    "terminate_account": ("policy", "account"), "passcode_forgotten": ("policy", "account"),
    "declined_card_payment": ("policy", "payment"), "supported_cards_and_currencies": ("policy", "payment"),
    "visa_or_mastercard": ("policy", "payment"), "apple_pay_or_google_pay": ("policy", "payment"),
    "card_arrival": ("status", "status"), "card_delivery_estimate": ("policy", "ship"),
}


def command_for(kind: str, detail: str, facts: StoreFacts, order_id: str | None = None) -> Command | None:
    if kind == "change":
        return OrderChange(detail, OrderRef(order_id=order_id))
    if kind == "status":
        return OrderStatus(OrderRef(order_id=order_id), asks=detail)
    if kind == "handoff":
        return Handoff(detail)
    topic = next((t for t in sorted(facts.policies) if detail in t), None)
    return Policy(topics=(topic,)) if topic else None


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def bitext_rows(root: Path, facts: StoreFacts, rng: random.Random, *, per_intent: int, held_fraction: float,
                dev: set[str]) -> list[Example]:
    by_intent: dict[str, list[dict]] = {}
    for row in read_table(root / "bitext" / "bitext_support_6k.csv", ("instruction", "intent")):
        by_intent.setdefault(row["intent"], []).append(row)
    out = []
    for intent, rows in sorted(by_intent.items()):
        if intent not in BITEXT:
            continue
        cut = int(len(rows) * (1 - held_fraction))  # rows come grouped by seed text: the last block is held out
        for held, block in ((False, rng.sample(rows[:cut], min(per_intent, cut))), (True, rows[cut:cut + per_intent // 3])):
            for row in block:
                text = fill_placeholders(row["instruction"], rng)
                if _norm(text) in dev:
                    continue
                ids = re.findall(r"\b[A-Z]{0,3}-?\d{5,}\b", text) if row.get("entity_type") == "order_id" else []
                command = command_for(*BITEXT[intent], facts, ids[0] if ids else None)
                if command is not None:
                    out.append(Example(_family(command), f"bitext/{intent}", text, [command], held=held))
    return out


def banking_rows(root: Path, facts: StoreFacts, rng: random.Random, *, per_category: int, oos: int,
                 dev: set[str]) -> list[Example]:
    by_category: dict[str, list[str]] = {}
    for row in read_table(root / "banking77" / "train.csv", ("text", "category")):
        if _norm(row["text"]) not in dev:
            by_category.setdefault(row["category"], []).append(row["text"])
    out = []
    for category, mapping in sorted(BANKING.items()):
        texts = by_category.get(category, [])
        rng.shuffle(texts)
        for i, text in enumerate(texts[:per_category + per_category // 4]):
            command = command_for(*mapping, facts)
            if command is not None:
                out.append(Example(_family(command), f"banking/{category}", text, [command], held=i >= per_category))
    pool = [t for c in BANKING_OOS for t in by_category.get(c, [])]
    out += [Example("out_of_scope", "banking/oos", t, [OutOfScope()]) for t in rng.sample(pool, min(oos, len(pool)))]
    return out


def _family(command: Command) -> str:
    return {OrderChange: "order", OrderStatus: "order", Handoff: "handoff", Policy: "policy"}[type(command)]


def wands_rows(root: Path, facts: StoreFacts, rng: random.Random, *, held_classes: int) -> list[Example]:
    """Real product queries (home goods: mostly things this store does not carry, so `words` holds them; a
    query that names one of the store's types gets its type and category)."""
    queries = read_table(root / "wands" / "query.csv", ("query", "query_class"), delimiter="\t")
    classes = sorted({q["query_class"] for q in queries})
    held = set(rng.sample(classes, min(held_classes, len(classes))))
    names = {t.lower(): t for t in facts.types} | {s: t for t, syns in SYNONYMS.items() if t in facts.types for s in syns}
    out = []
    for q in queries:
        text = " ".join(q["query"].split())
        found = next((n for n in sorted(names, key=len, reverse=True) if re.search(rf"\b{re.escape(n)}s?\b", text.lower())), None)
        if found:
            t = facts.types[names[found]]
            rest = " ".join(re.sub(rf"\b{re.escape(found)}s?\b", " ", text.lower()).split())
            command = SearchProducts(words=rest, product_type=t.name, category=t.category)
        else:
            command = SearchProducts(words=text.lower())
        out.append(Example("search", "wands", text, [command], held=q["query_class"] in held))
    return out
