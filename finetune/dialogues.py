"""Grounded assistant turns over the demo store, built with the serving prompt builder.

Each record is the exact chat the assistant sees (`build_prompt` with real retrieved
products, policies and a customer view) plus a short target reply that uses only those
facts: product titles and prices from the hits, one policy line, a segment gesture allowed by
the store rules (onboarding for new customers, a retention code for high churn risk), or a
refusal. Held out by source: whole catalog categories and Bitext's held-out seed block.
"""

from __future__ import annotations

import random
from dataclasses import replace

from assistant.intent import OUT_OF_SCOPE
from assistant.prompt import POLICY_FOR_INTENT, build_prompt
from assistant.settings import Settings
from assistant.types import CustomerView, Hit, Intent, Turn

HELDOUT_CATEGORIES = ("cameras", "bedding", "toys")
# Words that pick the policy line answering an intent.
POLICY_WORDS = {
    "delivery_options": ("express", "standard"), "delivery_period": ("takes", "business days"),
    "track_order": ("tracking",), "change_shipping_address": ("address",), "set_up_shipping_address": ("address",),
    "get_refund": ("refunds go back", "original payment"), "track_refund": ("5-7 business days",),
    "check_refund_policy": ("refund",), "cancel_order": ("cancelled",), "check_cancellation_fee": ("cancelled",),
    "change_order": ("exchange",), "check_payment_methods": ("accept",), "payment_issue": ("declined",),
    "place_order": ("charged",), "check_invoice": ("charged",), "get_invoice": ("charged",),
    "create_account": ("create",), "delete_account": ("delete",), "edit_account": ("edit",),
    "recover_password": ("password",), "registration_problems": ("create",), "switch_account": ("account page", "edit"),
    "newsletter_subscription": ("newsletter",),
}
QUERY_TEMPLATES = ("{tag} {category}", "do you have {category} from {brand}?", "looking for {category} under ${budget}",
                   "I need {tag}", "recommend some {category} for {tag}", "cheap {category}", "best {category} you sell?")
SEGMENT_LINES = {
    "new": "Since you're new here: you get a tracking link by email once your parcel ships, and unused items can be returned within 30 days.",
    "loyal": "Thanks for being a loyal customer: you get early access to new arrivals and 60-day returns.",
}
RETENTION_LINES = ("As a thank-you for coming back, you can use the code WELCOME10 for 10 % off your next order.",
                   "As a welcome-back gesture, your next order ships with free express shipping.")
REFUSAL = "Sorry, I can only help with shopping, orders and our store's services. Is there something in the store I can help you find?"
FIXED = {
    "greeting": "Hello! Welcome to our store. What are you looking for today?",
    "goodbye": "Thank you for shopping with us. Have a great day!",
    "complaint": "I'm really sorry about this experience. A human agent will follow up with you shortly.",
    "contact_human_agent": "Of course. I'm passing this conversation to a human agent now.",
    "contact_customer_service": "I can connect you with our customer service team; a human agent will reply here shortly.",
    "review": "Thank you for your feedback! You can leave a review on the product page after delivery.",
}


def _price(hit: Hit) -> str:
    return f"${hit.product.price:.2f}" if hit.product.price is not None else "price on request"


def product_reply(hits: list[Hit], rng: random.Random) -> str:
    if not hits:
        return "I couldn't find a matching product in our catalog. Could you describe what you need a bit more?"
    first = hits[0]
    text = f"I'd suggest the {first.product.title} at {_price(first)}"
    if len(hits) > 1 and rng.random() < 0.7:
        text += f", or the {hits[1].product.title} at {_price(hits[1])}"
    return text + "."


def policy_reply(label: str, policies: dict[str, str]) -> str:
    doc = policies.get(POLICY_FOR_INTENT.get(label, ""), "")
    lines = [l.lstrip("- ").strip() for l in doc.splitlines() if l.startswith("-")]
    words = POLICY_WORDS.get(label, ())
    best = next((l for l in lines if any(w.lower() in l.lower() for w in words)), lines[0] if lines else "")
    return best or "I don't have that information; I can connect you with a human agent."


def segment_line(view: CustomerView, rng: random.Random) -> str | None:
    if view.segment in ("at_risk", "lapsed") and view.churn_tier == "high":
        return rng.choice(RETENTION_LINES)
    return SEGMENT_LINES.get(view.segment)


def _views(settings: Settings, catalog, rng: random.Random) -> dict[str, list[CustomerView]]:
    from assistant.profile import GUEST, load_profile_book

    book = load_profile_book(settings.store_dir, catalog)
    views: dict[str, list[CustomerView]] = {"guest": [GUEST]}
    for user_id in book.customers:
        view = book.view(user_id)
        if view.segment in ("at_risk", "lapsed"):
            view = replace(view, churn_tier=rng.choice(["high", "high", "medium"]))
        views.setdefault(view.segment, []).append(view)
    return views


def build_dialogues(config, rng: random.Random, *, train_texts: list[dict], heldout_texts: list[dict]) -> dict[str, list[dict]]:
    """{"train": [...], "heldout": [...]} chat records: messages + target reply + facts used."""
    from data.load import load_policies
    from retrieval.search import build_retriever

    settings = Settings()
    retriever = build_retriever(settings)
    policies = load_policies(settings.store_dir / "policies")
    views = _views(settings, retriever.catalog, rng)
    segments = sorted(views)
    products = sorted(retriever.catalog.values(), key=lambda p: p.id)
    out: dict[str, list[dict]] = {"train": [], "heldout": []}
    for split, n, texts in (("train", config.dialogues, train_texts), ("heldout", max(20, config.dialogues // 4), heldout_texts)):
        pool = [p for p in products if (p.category in HELDOUT_CATEGORIES) == (split == "heldout")]
        policy_pool = [r for r in texts if r["intent"] in POLICY_FOR_INTENT and r["source"].startswith("bitext")]
        oos_pool = [r for r in texts if r["intent"] == OUT_OF_SCOPE]
        for i in range(n):
            view = rng.choice(views[segments[i % len(segments)]])
            kind = ("product", "product", "policy", "policy", "oos", "fixed")[i % 6]
            hits: list[Hit] = []
            if kind == "product":
                p = rng.choice(pool)
                tag = rng.choice(p.tags) if p.tags else p.category
                message = rng.choice(QUERY_TEMPLATES).format(tag=tag, category=p.category, brand=p.brand, budget=int((p.price or 50) * 1.3))
                label = "product_search"
                hits = [h for h in retriever.search(message, settings.retrieval.top_k) if h.product.category not in HELDOUT_CATEGORIES or split == "heldout"]
                reply = product_reply(hits, rng)
            elif kind == "policy" and policy_pool:
                row = rng.choice(policy_pool)
                message, label = row["text"], row["intent"]
                reply = policy_reply(label, policies)
            elif kind == "oos" and oos_pool:
                message, label, reply = rng.choice(oos_pool)["text"], OUT_OF_SCOPE, REFUSAL
            else:
                label = rng.choice(sorted(FIXED))
                message = rng.choice([r["text"] for r in texts if r["intent"] == label] or [label.replace("_", " ")])
                reply = FIXED[label]
            extra = segment_line(view, rng) if label not in (OUT_OF_SCOPE, "goodbye") else None
            if extra:
                reply = f"{reply} {extra}"
            prompt = build_prompt(Turn(message, user_id=view.user_id), Intent(label, 1.0), hits, view, policies)
            out[split].append({
                "messages": [{"role": m.role, "content": m.content} for m in prompt.messages] + [{"role": "assistant", "content": reply}],
                "intent": label, "segment": view.segment, "template": prompt.template,
                "facts": list(prompt.allowed_facts), "source": f"{kind}-{split}",
            })
    return out
