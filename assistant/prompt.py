"""Prompt building: named, versioned templates filled with the turn's facts.

The template name and version travel with every reply (``Reply.prompt_template``) so a logged
answer can be traced to the exact wording that produced it. Only facts placed here (products,
policies, a compact customer view) may appear in the answer: `allowed_facts` lists them.
"""

from __future__ import annotations

from assistant.types import CustomerView, Hit, Intent, Message, Product, Prompt, Turn

TEMPLATE = "reply@3"  # 2: segment policy, churn-tier gesture, profile picks; 3: offer policy
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

# Personalization policy (store rules: data/demo/policies/retention_offers.md). Keyed by segment;
# a high churn tier adds the retention gesture whatever the segment.
SEGMENT_GUIDANCE = {
    "new": "This is a new customer: welcome them, briefly explain how order tracking and the 30-day return window work, and suggest a popular pick if it fits.",
    "loyal": "This is a VIP customer: thank them for their loyalty and mention early access to new arrivals and 60-day returns.",
}
RETENTION_SEGMENTS = frozenset({"at_risk", "lapsed"})
# How the retention gesture is worded under each offer policy (an experiment can switch it):
# what the model may offer, and the offer recorded with the turn.
OFFER_WORDING = {
    "store_rules": ("ONE retention gesture from the store rules (the 10 % code WELCOME10 or free express shipping on the next order)", "code_or_shipping"),
    "code": ("the 10 % code WELCOME10 on the next order as a thank-you", "code"),
    "free_shipping": ("free express shipping on the next order as a thank-you", "free_shipping"),
    "none": ("no discount or code: remind them of the products they liked instead", None),
}
GUEST_LIKE = CustomerView(user_id=None, segment="guest")  # out-of-scope turns get no personal policy
PICKS_HEADING = {"new": "Popular picks for a first order:", "guest": "Popular picks:"}


def wants_retention(view: CustomerView) -> bool:
    return view.segment in RETENTION_SEGMENTS or view.churn_tier == "high"


def segment_guidance(view: CustomerView, offer_policy: str = "store_rules") -> str | None:
    if wants_retention(view):
        wording = OFFER_WORDING[offer_policy][0]
        opening = ("This customer has not ordered in a long time: welcome them back" if view.segment == "lapsed"
                   else "This customer may be drifting away: be warm")
        return f"{opening} and offer {wording}."
    return SEGMENT_GUIDANCE.get(view.segment)


def retention_offer(view: CustomerView, intent: Intent, offer_policy: str = "store_rules") -> str | None:
    """The gesture this turn's prompt allows, for the analytics record (None when there is none)."""
    if intent.label == "out_of_scope" or not wants_retention(view):
        return None
    return OFFER_WORDING[offer_policy][1]


def describe_customer(view: CustomerView) -> str:
    """The compact, privacy-minded profile: no id, name, contact details or order lines."""
    if view.segment == "guest":
        return "Customer: guest (not signed in, no history)."
    parts = [f"Customer segment: {'loyal (VIP)' if view.segment == 'loyal' else view.segment.replace('_', ' ')}"]
    if view.top_categories:
        parts.append("likes " + ", ".join(view.top_categories))
    if view.top_brands:
        parts.append("favourite brands " + ", ".join(view.top_brands))
    if view.price_band:
        parts.append(f"usually spends ${view.price_band[0]:.0f}-${view.price_band[1]:.0f} per item")
    if view.churn_tier:
        parts.append(f"churn risk {view.churn_tier}")
    return "; ".join(parts) + "."


def shown_picks(view: CustomerView, hits: list[Hit]) -> list[Product]:
    """Suggestions from the profile: cold-start picks for new customers, favourites for those at risk."""
    if not view.picks or (view.segment == "guest" and hits):
        return []
    shown = {h.product.id for h in hits}
    return [p for p in view.picks if p.id not in shown]


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
    if view.segment in {"new", "loyal"} or wants_retention(view):
        names.append("retention_offers")
    return [n for n in dict.fromkeys(names) if n and n in policies]


def build_prompt(turn: Turn, intent: Intent, hits: list[Hit], view: CustomerView, policies: dict[str, str], *,
                 system: str = SYSTEM, offer_policy: str = "store_rules") -> Prompt:
    """The prompt for one turn; `system` and `offer_policy` are what experiments may vary."""
    lines = [system, "", describe_customer(view)]
    personal = intent.label != "out_of_scope"
    guidance = [GUIDANCE.get(intent.label), segment_guidance(view, offer_policy) if personal else None]
    lines += [g for g in guidance if g]
    if hits:
        lines += ["", "Products you may recommend:"] + [describe_hit(i, h) for i, h in enumerate(hits, 1)]
    picks = shown_picks(view, hits) if personal else []
    if picks:
        heading = PICKS_HEADING.get(view.segment, "In stock and matching this customer's tastes:")
        lines += ["", heading] + [describe_hit(i, Hit(p, 0.0)) for i, p in enumerate(picks, len(hits) + 1)]
    names = policies_for(intent, view if personal else GUEST_LIKE, policies)
    for name in names:
        lines += ["", policies[name].strip()]
    history = list(turn.history)[-HISTORY_TURNS:]
    messages = (Message("system", "\n".join(lines)), *history, Message("user", turn.message))
    facts = tuple(h.product.id for h in hits) + tuple(p.id for p in picks) + tuple(f"policy:{n}" for n in names)
    return Prompt(messages=messages, template=TEMPLATE, allowed_facts=facts)
