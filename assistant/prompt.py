"""Prompt building: named, versioned templates filled with the turn's facts.

The template name and version travel with every reply (``Reply.prompt_template``) so a logged
answer can be traced to the exact wording that produced it. Only facts placed here (products,
policies, a compact customer view) may appear in the answer: `allowed_facts` lists them.
"""

from __future__ import annotations

from assistant.types import CustomerView, Hit, Intent, Message, Prompt, Turn

TEMPLATE = "reply@1"
HISTORY_TURNS = 6  # earlier messages kept in the prompt; older ones are dropped

SYSTEM = (
    "You are ShopAssist, the friendly shopping assistant of an online store. "
    "Reply in one to three short sentences. Use only the facts below; if they do not answer "
    "the question, say so and offer to connect the customer with a human agent. "
    "Never invent products, prices, order details or discount codes."
)

# Which policy documents answer which intents.
POLICY_FOR_INTENT = {
    **dict.fromkeys(("delivery_options", "delivery_period", "track_order", "change_shipping_address",
                     "set_up_shipping_address"), "shipping"),
    **dict.fromkeys(("get_refund", "track_refund", "check_refund_policy", "cancel_order",
                     "check_cancellation_fee", "change_order"), "refunds"),
    **dict.fromkeys(("check_payment_methods", "payment_issue", "place_order", "check_invoice",
                     "get_invoice"), "payment_methods"),
    **dict.fromkeys(("create_account", "delete_account", "edit_account", "recover_password",
                     "registration_problems", "switch_account", "newsletter_subscription"), "account"),
}
EXTRA_POLICY = {"get_refund": "returns", "check_refund_policy": "returns", "change_order": "returns"}

GUIDANCE = {
    "out_of_scope": "The request is outside what a store assistant does: politely say you can only help with shopping, orders and the store's services.",
    "greeting": "Greet the customer and ask what they are looking for today.",
    "goodbye": "Thank the customer and say goodbye.",
    "contact_human_agent": "Tell the customer you are passing the conversation to a human agent.",
    "complaint": "Apologise sincerely and tell the customer a human agent will follow up.",
    "product_search": "Recommend the best matching products from the list, with their exact names and prices.",
}

SEGMENT_GUIDANCE = {
    "new": "This is a new customer: briefly mention how order tracking and the 30-day return window work.",
    "loyal": "This is a loyal VIP customer: thank them for their loyalty and mention early access to new arrivals.",
    "at_risk": "This customer may be drifting away: add a warm retention gesture allowed by the store rules.",
    "lapsed": "This customer has not ordered in a long time: welcome them back with a gesture allowed by the store rules.",
}


def describe_customer(view: CustomerView) -> str:
    if view.segment == "guest":
        return "Customer: guest (not signed in, no history)."
    parts = [f"Customer segment: {view.segment}"]
    if view.top_categories:
        parts.append("likes " + ", ".join(view.top_categories))
    if view.top_brands:
        parts.append("favourite brands " + ", ".join(view.top_brands))
    if view.price_band:
        parts.append(f"usually spends ${view.price_band[0]:.0f}-${view.price_band[1]:.0f} per item")
    if view.churn_tier:
        parts.append(f"churn risk {view.churn_tier}")
    return "; ".join(parts) + "."


def describe_hit(number: int, hit: Hit) -> str:
    p = hit.product
    facts = [f"${p.price:.2f}" if p.price is not None else "price on request"]
    if p.rating is not None:
        facts.append(f"rated {p.rating}/5")
    if p.stock is not None:
        facts.append("in stock" if p.stock > 0 else "out of stock")
    return f"{number}. {p.title} ({', '.join(facts)})"


def policies_for(intent: Intent, view: CustomerView, policies: dict[str, str]) -> list[str]:
    names = [POLICY_FOR_INTENT.get(intent.label), EXTRA_POLICY.get(intent.label)]
    if view.segment in {"at_risk", "lapsed", "new", "loyal"}:
        names.append("retention_offers")
    return [n for n in dict.fromkeys(names) if n and n in policies]


def build_prompt(turn: Turn, intent: Intent, hits: list[Hit], view: CustomerView, policies: dict[str, str]) -> Prompt:
    lines = [SYSTEM, "", describe_customer(view)]
    guidance = [GUIDANCE.get(intent.label), SEGMENT_GUIDANCE.get(view.segment) if intent.label != "out_of_scope" else None]
    lines += [g for g in guidance if g]
    if hits:
        lines += ["", "Products you may recommend:"] + [describe_hit(i, h) for i, h in enumerate(hits, 1)]
    names = policies_for(intent, view, policies)
    for name in names:
        lines += ["", policies[name].strip()]
    history = list(turn.history)[-HISTORY_TURNS:]
    messages = (Message("system", "\n".join(lines)), *history, Message("user", turn.message))
    facts = tuple(h.product.id for h in hits) + tuple(f"policy:{n}" for n in names)
    return Prompt(messages=messages, template=TEMPLATE, allowed_facts=facts)
