"""Replies that need no search: hello, goodbye, out of scope, passing to a person, the store's policy
sentence, and the one retention gesture the store allows.

    talk = Talk(policies_text, policy_index)
    talk.greeting(view, offer_policy="store_rules")   # a welcome-back code only for a customer at risk
    talk.policy(Policy(topics=("refunds",), question="how long do refunds take?"))   # the store's sentence, quoted
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.commands import Policy
from assistant.policies import PolicyIndex
from assistant.reply.answer import Answer
from assistant.types import CustomerView

HELP = "I can help you find products, check your orders, and answer questions about shipping, returns and payments."
DECLINE = "Sorry, I can't help with that. " + HELP
UNKNOWN_POLICY = ("I'm sorry, I don't have that information. I can connect you with a member of our team "
                  "if you'd like.")
RETENTION_SEGMENTS = frozenset({"at_risk", "lapsed"})



def at_risk(view: CustomerView) -> bool:
    """The store rule's "customer at high risk of leaving": a high churn tier, or a drifting or lapsed customer."""
    return view.churn_tier == "high" or view.segment in RETENTION_SEGMENTS


class Talk:
    def __init__(self, retention_rules: str, index: PolicyIndex, *, return_window: int, loyal_window: int) -> None:
        self.index = index
        code = re.search(r"\b([A-Z][A-Z0-9]{3,}\d+)\b", retention_rules)
        percent = re.search(r"(\d+)\s?%", retention_rules)
        self.code = code.group(1) if code else None
        self.percent = percent.group(1) if percent else None
        self.free_shipping = "free express shipping" in retention_rules.lower()
        self.window, self.loyal_window = return_window, loyal_window
        tracking = index.answer("when do I get a tracking link", topics=("shipping",))
        self.tracking = tracking.passages[0].text if tracking.passages else None

    # -- the retention gesture -----------------------------------------------------------------------
    def gesture(self, view: CustomerView, offer_policy: str = "store_rules") -> tuple[str | None, str | None]:
        """(sentence, offer kind) for a customer at risk under this offer policy; (None, None) for anyone else."""
        if not at_risk(view) or offer_policy == "none":
            return None, None
        wants_code = offer_policy in ("code", "store_rules") and self.code
        if wants_code:
            share = f"{self.percent}% off" if self.percent else "a discount on"
            return f"As a thank-you for coming back, here is {share} your next order with the code {self.code}.", "code"
        if self.free_shipping and offer_policy in ("free_shipping", "store_rules"):
            return "As a thank-you for coming back, your next order ships with free express shipping.", "free_shipping"
        return None, None

    def with_gesture(self, answer: Answer, view: CustomerView, offer_policy: str) -> Answer:
        sentence, kind = self.gesture(view, offer_policy)
        if sentence is None:
            return answer
        required = (self.code,) if kind == "code" else ("free express shipping",)
        return replace(answer, text=f"{answer.text} {sentence}", facts=answer.facts + (sentence,), offer=kind,
                       required=answer.required + (required,),
                       codes=answer.codes | ({self.code} if kind == "code" else set()))

    # -- small talk ----------------------------------------------------------------------------------------
    def greeting(self, view: CustomerView) -> Answer:
        """Hello, what the assistant does, and onboarding for a new customer (the turn adds the one retention gesture)."""
        text = "Hello! " + HELP + " What are you looking for today?"
        facts = ["Greet the shopper.", HELP]
        if view.segment == "new" and view.user_id is not None:
            welcome = f"Welcome to the store! You can return unused items within {self.window} days of delivery"
            welcome += f", and {self.tracking[0].lower() + self.tracking[1:]}" if self.tracking else "."
            text, facts = f"{text} {welcome}", facts + [welcome]
        elif view.segment == "loyal":
            thanks = (f"Thanks for shopping with us so often: you get early access to new arrivals and "
                      f"{self.loyal_window}-day returns.")
            text, facts = f"{text} {thanks}", facts + [thanks]
        required = [("hello", "hi ", "welcome")]
        if view.segment == "new" and view.user_id is not None:
            required.append(("welcome",))  # the onboarding sentence, not just "returns" in the help line
        elif view.segment == "loyal":
            required.append(("early access",))
        required = tuple(required)
        return Answer("greeting", text, facts=tuple(facts), required=required, intent="greeting")

    def goodbye(self) -> Answer:
        return Answer("goodbye", "Thank you for shopping with us. Have a great day!", facts=("Say goodbye.",),
                      required=(("thank", "bye"),), intent="goodbye")

    def thanks(self) -> Answer:
        """"thanks", "ok", "cool": nothing to act on, so ask what else is needed."""
        text = ("You're welcome! Is there anything else I can help you with? I can find products, check your orders, "
                "or answer questions about shipping, returns and payments.")
        return Answer("acknowledge", text, facts=("Nothing is open; ask what else the shopper needs.", HELP),
                      required=(("anything else",),), intent="goodbye")

    def clarify(self) -> Answer:
        """The message could not be read: ask, and say what the assistant can do."""
        text = "Sorry, I didn't quite get that. Could you say it another way? " + HELP
        return Answer("clarify", text, facts=("The message was not understood; ask the shopper to rephrase.", HELP),
                      required=(("sorry",),), intent="out_of_scope")

    def decline(self) -> Answer:
        return Answer("decline", DECLINE, facts=("The request is outside what a store assistant does.", HELP),
                      required=(("sorry", "can't", "cannot", "only help"),), intent="out_of_scope")

    def handoff(self, reason: str, *, money: bool = False) -> Answer:
        if money:
            text = ("I'm sorry about that. I've passed this to our customer service team, who will check the payment "
                    "and get back to you here shortly.")
        else:
            text = "Of course. I'm connecting you with a member of our customer service team; they will reply here shortly."
        return Answer("handoff", text, facts=("A person from customer service takes over this conversation.",),
                      handoff=reason, required=(("customer service", "our team", "a member of our team", "a person"),), intent="contact_human_agent" if not money else "payment_issue")

    # -- policy -----------------------------------------------------------------------------------------------
    def policy(self, command: Policy) -> Answer:
        """The sentences of the store's policies that answer, one topic after the other; "I don't know" when none does."""
        found: list = []
        for topic in command.topics or (None,):
            answer = self.index.answer(command.question, topics=(topic,) if topic else ())
            passages = [p for p in answer.passages if topic is None or p.topic == topic]
            if not passages and len(command.topics) <= 1:
                passages = list(answer.passages)
            found += [p for p in passages if p not in found]
        if not found:
            return Answer("policy", UNKNOWN_POLICY, facts=("The store's policies do not answer this.",))
        sentences = [p.text for p in found[:4]]
        numbers = re.findall(r"\$?\d[\d.,%-]*\d%?|\$?\d", sentences[0])
        required = ((numbers[0],),) if numbers else ()
        return Answer("policy", " ".join(sentences), facts=tuple(sentences), required=required)
