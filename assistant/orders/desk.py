"""The order desk: answers "where is my order", "what did I order", "cancel it", "return it", "send it to
another address" from the customer's real orders, and takes the action when the store's rules allow.

    desk = OrderDesk(book, policies, customers, today=lambda: date(2026, 10, 31))
    desk.answer(OrderRequest("cancel", "cancel my order please"), user_id="C0114", loyal=False, context={})

Which order: the id the shopper names, else the newest order holding an item they name, else "the
one before" when they say so, else the latest. Guests are asked to sign in or to give the order
number with the order's e-mail; nothing about an order is said before both match. The store's
numbers (return window, refund times) come from its policy text, so the reply quotes the store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from assistant.orders.book import Order, OrderBook
from assistant.orders.words import (
    GUEST_ASK,
    GUEST_ASK_AFTER_RULE,
    NO_MATCH,
    STATUS_WORDS,
    items_phrase,
    new_address,
    not_cancelled,
    note_of,
    odd_items,
    requiring,
    status_sentence,
    status_terms,
    we_email,
    with_context,
    with_sentence,
)
from assistant.policies import PolicyIndex
from assistant.reply.answer import ActionNote, Answer
from assistant.reply.words import day, listing
from assistant.understand.patterns import EMAIL, ORDER_ID, PRONOUN, wants_older_order

# A guest's order question the store's policy answers this clearly gets that sentence before the sign-in
# request (PolicyIndex.scores: the questions of benchmarks/cases/policy_questions.jsonl mostly score above 0.78).
GUEST_RULE_EVIDENCE = 0.8
RULE_KINDS = frozenset({"return", "return_status", "date"})  # "where is my order?" has no general answer: only theirs
ASKS_HOW = re.compile(r"^\W*(?:how|can|could|may|is it possible|do i|what do i|where do i)\b", re.I)
NOT_ITEM_WORDS = frozenset(
    "order orders last latest recent most newest previous earlier before return returns cancel status where what when which "
    "that this these those with have has had delivered delivery shipped shipping ship bought ordered purchased purchase "
    "package parcel please thanks thank today yesterday week month time again help still arrived arrive arriving sent "
    "send back address change item items stuff thing things money refund from your would like want need know could should "
    "there they them their just about tell does did done made make get got here come coming take much many long soon "
    "track tracking number email mail start started able sure want wanted placed place".split())
@dataclass(frozen=True)
class OrderRequest:
    kind: str  # status, date, items, cancel, return, return_status, address
    text: str  # the shopper's words: order ids, item names, a new address

    @property
    def asks_how(self) -> bool:
        """"How do I return ...?" asks for the way, "return my order" asks for the deed."""
        return bool(ASKS_HOW.search(self.text))

    def asks_for_deed(self, kind: str) -> bool:
        """The words ask for the action itself, not about it ("cancel it please", not "can I cancel?")."""
        from assistant.understand.patterns import CANCEL_NOW, HEDGED, RETURN_NOW

        return bool((CANCEL_NOW if kind == "cancel" else RETURN_NOW).search(self.text)) and not HEDGED.search(self.text)


class OrderDesk:
    def __init__(self, book: OrderBook, policies: PolicyIndex, emails: Mapping[str, str], *,
                 today: Callable[[], date]) -> None:
        self.book = book
        self.policies = policies
        self.emails = {cid: email.lower() for cid, email in emails.items()}  # customer id -> e-mail, for guests
        self.today = today  # the store's clock (the demo store's clock stands at its newest order)
        self.window, self.loyal_window = self._windows()

    # -- the store's own words --------------------------------------------------------------
    def policy(self, question: str, topic: str) -> str | None:
        answer = self.policies.answer(question, topics=(topic,))
        return answer.passages[0].text if answer.passages else None

    def _windows(self) -> tuple[int, int]:
        """The return windows written in the returns policy ("within 30 days ... Loyal members get 60 days")."""
        text = " ".join(p.text for p in self.policies.passages if p.topic == "returns")
        usual = re.search(r"within (\d+) days", text)
        loyal = re.search(r"(?:loyal|vip)[^.]*?(\d+) days", text, re.I)
        days = int(usual.group(1)) if usual else 30
        return days, int(loyal.group(1)) if loyal else days

    # -- entry --------------------------------------------------------------------------------
    def answer(self, request: OrderRequest, *, user_id: str | None, loyal: bool, context: dict,
               session_id: str | None = None) -> Answer:
        owner = user_id or (context.get("verified") or {}).get("customer_id")
        if owner is None:
            return self._guest(request, context)
        orders = self.book.orders_of(owner)
        if user_id is None:  # a verified guest sees the one order they proved
            orders = [o for o in orders if o.order_id == context["verified"]["order_id"]]
        if not orders:
            return Answer("order", "I don't see any orders on your account yet. Once you place one, I can track it for you.",
                          facts=("The customer has no orders.",), intent="track_order")
        order, problem = self._pick(orders, request.text, context.get("order_id"))
        if problem:
            return problem
        handler = getattr(self, f"_{request.kind}")
        answer = handler(order, orders, request, owner=owner, loyal=loyal, session_id=session_id)
        return with_context(answer, {"order_id": order.order_id})  # "cancel it" next means this order

    def confirm(self, pending: dict, message: str, *, user_id: str | None, loyal: bool, context: dict,
                session_id: str | None = None) -> Answer | None:
        """The shopper's reply to a question the desk asked (start the return? which address?); None if it is not one."""
        from assistant.understand.patterns import NO, YES

        owner = user_id or (context.get("verified") or {}).get("customer_id")
        order = self.book.get(pending.get("order_id", ""))
        if owner is None or order is None or order.customer_id != owner:
            return None
        if pending["kind"] == "address":
            address = new_address(message)
            if address is None:
                return None
            return self._change_address(order, address, owner=owner, session_id=session_id)
        if NO.search(message):
            return Answer("order", "No problem, I've left the order as it is.", facts=("Nothing was changed.",),
                          intent=pending.get("intent", "track_order"))
        if not YES.search(message):
            return None
        if pending["kind"] == "return":
            return self._start_return(order, owner=owner, loyal=loyal, session_id=session_id)
        if pending["kind"] == "cancel":
            return self._cancel_order(order, owner=owner, session_id=session_id)
        return None

    # -- which order -------------------------------------------------------------------------
    def _pick(self, orders: list[Order], text: str, last: str | None = None) -> tuple[Order | None, Answer | None]:
        named = [m.upper() for m in ORDER_ID.findall(text)]
        if named:
            found = next((o for o in orders if o.order_id.upper() in named), None)
            if found is None:
                return None, Answer("order", f"I can't find order {named[0]} on your account. Please check the number; "
                                             "your orders are listed on your account page.",
                                    facts=(f"No order {named[0]} on this account.",), codes=frozenset(named[:1]),
                                    intent="track_order")
            return found, None
        words = set(re.findall(r"[a-z]{4,}", text.lower())) - NOT_ITEM_WORDS
        for order in orders:  # newest first: the newest order holding a named item
            titles = " ".join(i.title.lower() for i in order.items)
            if any(re.search(rf"\b{re.escape(w.rstrip('s'))}", titles) for w in words):
                return order, None
        pointed = next((o for o in orders if o.order_id == last), None) if PRONOUN.search(text) else None
        if pointed is not None:  # "cancel it", "when did I order it?": the order just talked about
            return pointed, None
        if wants_older_order(text) and len(orders) > 1:
            return orders[1], None
        return orders[0], None

    # -- answers -------------------------------------------------------------------------------
    def _base(self, order: Order, text: str, facts: list[str], *, intent: str, **extra) -> Answer:
        amounts = {round(i.unit_price, 2) for i in order.items} | {round(i.unit_price * i.quantity, 2) for i in order.items}
        return Answer("order", text, facts=tuple(facts), codes=frozenset({order.order_id}),
                      amounts=frozenset(amounts | {order.total}), intent=intent, **extra)

    def _order_facts(self, order: Order) -> list[str]:
        return [status_sentence(order).replace("Your order", "Order")]

    def _status(self, order: Order, orders, request, **_) -> Answer:
        text = status_sentence(order)
        facts = self._order_facts(order)
        if order.status == "processing":
            text += " It hasn't shipped yet, so you can still cancel it or change its delivery address."
            facts.append("It can still be cancelled or sent to another address.")
        elif order.status == "shipped":
            tracking = self.policy("when do I get a tracking link", "shipping")
            if tracking:
                text += " " + tracking
                facts.append(tracking)
        return self._base(order, text, facts, intent="track_order",
                          required=(status_terms(order), (order.order_id,)), forbidden=not_cancelled(order))

    def _date(self, order: Order, orders, request, **kw) -> Answer:
        answer = self._status(order, orders, request, **kw)
        if order.status in ("processing", "shipped"):
            timing = self.policy("how long does standard shipping take", "shipping")
            if timing:
                answer = with_sentence(answer, timing)
        return requiring(answer, (f"{order.placed_on:%B} {order.placed_on.day}",))

    def _items(self, order: Order, orders, request, **_) -> Answer:
        lines = [f"{i.quantity} x {i.title} at ${i.unit_price:.2f}" if i.quantity > 1 else f"{i.title} (${i.unit_price:.2f})"
                 for i in order.items]
        text = (f"Your order {order.order_id} from {day(order.placed_on)} had {listing(lines)}; "
                f"it {STATUS_WORDS[order.status]}.") + odd_items(order)
        return self._base(order, text, [text.replace("Your order", "Order")], intent="track_order",
                          required=((order.items[0].title,), (order.order_id, f"{order.placed_on:%B} {order.placed_on.day}")))

    def _return_status(self, order: Order, orders, request, **_) -> Answer:
        returned = next((o for o in orders if o.status == "returned" or any(i.status == "returned" for i in o.items)), None)
        opened = self.book.actions(customer_id=order.customer_id)
        opened = next((a for a in opened if a.kind == "return"), None)
        refund = self.policy("how long do refunds take", "refunds")
        if opened is not None and (returned is None or opened.created_at[:10] >= returned.placed_on.isoformat()):
            target = self.book.get(opened.order_id)
            text = (f"Your return for order {target.order_id} ({items_phrase(target)}) was opened on "
                    f"{day(date.fromisoformat(opened.created_at[:10]))}; we're waiting for the parcel to reach our warehouse.")
            answer = self._base(target, text, [text.replace("Your return", "The return")], intent="track_refund",
                                required=((target.order_id,),))
        elif returned is not None:
            item = next((i for i in returned.items if i.status == "returned"), returned.items[0])
            text = f"Your return of the {item.title} from order {returned.order_id} ({day(returned.placed_on)}) was received: it is marked returned."
            answer = self._base(returned, text, [text.replace("Your return", "The return")], intent="track_refund",
                                required=(("returned",), (returned.order_id, item.title)))
        else:
            return Answer("order", "I don't see any returns on your account. If you'd like to return something, "
                                   "tell me which order and I'll check it for you.", facts=("The customer has no returns.",),
                          intent="track_refund")
        return with_sentence(answer, refund) if refund else answer

    def _cancel(self, order: Order, orders, request, *, owner: str, session_id, **_) -> Answer:
        if order.status == "processing" and not request.asks_for_deed("cancel"):
            text = (f"Your order {order.order_id} from {day(order.placed_on)} ({items_phrase(order)}) hasn't shipped yet, "
                    "so it can still be cancelled. Would you like me to cancel it?")
            return self._base(order, text, [text], intent="cancel_order", required=((order.order_id,), ("cancel",)),
                              forbidden=not_cancelled(order),
                              context={"pending": {"kind": "cancel", "order_id": order.order_id, "intent": "cancel_order"}})
        if order.status != "processing" and not ORDER_ID.search(request.text):
            other = next((o for o in orders if o.status == "processing"), None)
            answer = self._cancel_order(order, owner=owner, session_id=session_id)
            if other is not None:
                hint = (f"Your order {other.order_id} ({items_phrase(other)}) has not shipped yet; "
                        f"say \"cancel {other.order_id}\" if you want that one cancelled.")
                answer = with_sentence(answer, hint, codes={other.order_id})
            return answer
        return self._cancel_order(order, owner=owner, session_id=session_id)

    def _cancel_order(self, order: Order, *, owner: str, session_id) -> Answer:
        result = self.book.cancel(order.order_id, customer_id=owner, session_id=session_id)
        note = note_of(result)
        if result.done:
            refund = self.policy("when is a cancelled order refunded", "refunds")
            text = f"Done: I've cancelled your order {order.order_id} ({items_phrase(order)}) from {day(order.placed_on)}."
            facts = [f"Order {order.order_id} is now cancelled."]
            if refund:
                text += " " + refund
                facts.append(refund)
            return self._base(result.order, text, facts, intent="cancel_order", action=note,
                              required=((order.order_id,), ("cancel",)))
        if result.already:
            text = f"Your order {order.order_id} ({items_phrase(order)}) is already cancelled, so there is nothing more to do."
            return self._base(order, text, [text.replace("Your order", "Order")], intent="cancel_order", action=note,
                              required=((order.order_id,), ("already",)))
        why = {"shipped": "it has already shipped", "delivered": "it was already delivered",
               "returned": "it was already returned"}.get(order.status, "it is no longer being prepared")
        text = f"Your order {order.order_id} from {day(order.placed_on)} ({items_phrase(order)}) can't be cancelled because {why}."
        text += odd_items(order)
        if order.status == "shipped":
            text += f" Once it has arrived, you can return it within {self.window} days of delivery for a refund; just ask me."
        elif order.status == "delivered":
            text += f" You can return it within {self.window} days of delivery for a refund; just ask me."
        return self._base(order, text, [text.replace("Your order", "Order")], intent="cancel_order", action=note,
                          required=((order.order_id,), status_terms(order)), forbidden=not_cancelled(order))

    def _damaged(self, order: Order, orders, request, **_) -> Answer:
        """A damaged or faulty item: the store's rule for it (photo, refund or replacement), about the right order."""
        rule = self.policy("my item arrived damaged or broken, what do I do", "refunds")
        text = f"I'm sorry about that. Your order {order.order_id} from {day(order.placed_on)} ({items_phrase(order)}) " \
               f"{STATUS_WORDS[order.status]}."
        if rule:
            text += " " + rule
        text += " I can also connect you with a member of our team."
        numbers = re.findall(r"\d+ days", rule or "")
        return self._base(order, text, [text], intent="complaint", forbidden=not_cancelled(order),
                          required=((order.order_id,),) + ((tuple(numbers[:1]),) if numbers else ()))

    def _return(self, order: Order, orders, request, *, owner: str, loyal: bool, session_id, **_) -> Answer:
        if request.asks_how or not request.asks_for_deed("return"):
            return self._explain_return(order, loyal=loyal)
        return self._start_return(order, owner=owner, loyal=loyal, session_id=session_id)

    def _explain_return(self, order: Order, *, loyal: bool) -> Answer:
        window = self.loyal_window if loyal else self.window
        how = [s for s in (self.policy("how do I start a return, is there a return label", "returns"),
                           self.policy("do returns cost anything", "returns")) if s]
        days = (self.today() - order.placed_on).days
        if order.status == "delivered" and days <= window:
            text = (f"You can return items within {window} days of delivery. Your order {order.order_id} from "
                    f"{day(order.placed_on)} ({items_phrase(order)}) is still within that window. " + " ".join(dict.fromkeys(how))
                    + " Would you like me to start the return now?")
            return self._base(order, text, [text], intent="get_refund", required=((f"{window} days", f"{window}-day"),),
                              context={"pending": {"kind": "return", "order_id": order.order_id, "intent": "get_refund"}})
        text = f"You can return items within {window} days of delivery. " + self._return_refusal(order, window, days)
        return self._base(order, text, [text], intent="get_refund", required=((f"{window} days", f"{window}-day"),),
                          forbidden=not_cancelled(order))

    def _return_refusal(self, order: Order, window: int, days: int) -> str:
        if order.status in ("processing", "shipped"):
            return (f"Your order {order.order_id} ({items_phrase(order)}) {STATUS_WORDS[order.status]}, so it can't be "
                    "returned until it arrives" + (" (you can still cancel it instead)." if order.status == "processing" else "."))
        if order.status == "returned":
            return f"Your order {order.order_id} ({items_phrase(order)}) was already returned."
        if order.status == "cancelled":
            return f"Your order {order.order_id} was cancelled, so there is nothing to return."
        return (f"Your order {order.order_id} from {day(order.placed_on)} ({items_phrase(order)}) was placed {days} days ago, "
                f"outside the {window}-day return window, so I can't start a return for it. If the item is faulty, "
                "I can connect you with a member of our team.")

    def _start_return(self, order: Order, *, owner: str, loyal: bool, session_id) -> Answer:
        window = self.loyal_window if loyal else self.window
        result = self.book.start_return(order.order_id, customer_id=owner, window_days=window, today=self.today(),
                                        session_id=session_id)
        note = note_of(result)
        if result.done or result.already:
            label = self.policy("how do I start a return, is there a return label", "returns")
            first = (f"I've started a return for your order {order.order_id} ({items_phrase(order)})." if result.done else
                     f"A return for your order {order.order_id} ({items_phrase(order)}) is already open.")
            text = " ".join(s for s in (first, label and we_email(label), self.policy("when will I get my refund", "refunds")) if s)
            return self._base(order, text, [text], intent="get_refund", action=note,
                              required=((order.order_id,), ("return",)))
        text = self._return_refusal(order, window, result.days_since_order or 0)
        return self._base(order, text, [text], intent="get_refund", action=note, required=((order.order_id,),),
                          forbidden=not_cancelled(order))

    def _address(self, order: Order, orders, request, *, owner: str, session_id, **_) -> Answer:
        address = new_address(request.text)
        if order.status != "processing":
            rule = self.policy("can I change the delivery address after it shipped", "shipping")
            text = f"Your order {order.order_id} ({items_phrase(order)}) {STATUS_WORDS[order.status]}, so its delivery address can't be changed."
            if rule and order.status == "shipped":
                text += " " + rule
            return self._base(order, text, [text], intent="change_shipping_address", required=((order.order_id,),),
                              action=ActionNote("address_change", order.order_id, "refused", "not_processing"),
                              forbidden=not_cancelled(order))
        if address is None:
            text = (f"Your order {order.order_id} ({items_phrase(order)}) hasn't shipped yet, so I can change its "
                    "delivery address. What is the new address?")
            return self._base(order, text, [text], intent="change_shipping_address", required=((order.order_id,),),
                              context={"pending": {"kind": "address", "order_id": order.order_id}})
        return self._change_address(order, address, owner=owner, session_id=session_id)

    def _change_address(self, order: Order, address: str, *, owner: str, session_id) -> Answer:
        result = self.book.change_address(order.order_id, customer_id=owner, address=address, session_id=session_id)
        if result.done or result.already:
            text = f"Done: your order {order.order_id} ({items_phrase(order)}) will be delivered to {address}."
            return self._base(order, text, [text], intent="change_shipping_address", action=note_of(result),
                              required=((order.order_id,), (address[:20],)))
        return self._address(result.order or order, [], OrderRequest("address", ""), owner=owner, session_id=session_id)

    # -- guests --------------------------------------------------------------------------------
    def _guest(self, request: OrderRequest, context: dict) -> Answer:
        ids = ORDER_ID.findall(request.text)
        email = EMAIL.search(request.text)
        if request.kind == "damaged" and not (ids and email):  # the rule needs no order: say it, ask for nothing
            rule = self.policy("my item arrived damaged or broken, what do I do", "refunds")
            if rule:
                text = f"I'm sorry about that. {rule} If you sign in or give me the order number and email, I can look at the order."
                return Answer("order", text, facts=(rule,), intent="complaint", required=((rule.split()[-4],),),
                              forbidden=("has shipped", "was delivered", "on its way", "is being prepared"))
        if not ids or not email:
            text, facts = GUEST_ASK, ("The shopper is not signed in.",)
            rule = self.policies.answer(request.text) if request.kind in RULE_KINDS else None
            if rule and rule.passages and rule.score >= GUEST_RULE_EVIDENCE:  # "when will I get my refund?"
                text = f"{rule.passages[0].text} {GUEST_ASK_AFTER_RULE}"
                facts += (rule.passages[0].text,)
            return Answer("order", text, facts=facts, intent="track_order",
                          required=(("order number",), ("email",)),
                          forbidden=("has shipped", "was delivered", "on its way", "is being prepared"),
                          context={"pending": {"kind": "guest_lookup", "kind_asked": request.kind}})
        order = self.book.get(ids[0].upper())
        if order is None or self.emails.get(order.customer_id) != email.group(0).lower():
            return Answer("order", NO_MATCH, facts=("The order number and e-mail do not match.",), intent="track_order",
                          forbidden=("has shipped", "was delivered", "on its way", "is being prepared"))
        verified = {"customer_id": order.customer_id, "order_id": order.order_id}
        kind = request.kind if request.kind != "status" else (context.get("pending") or {}).get("kind_asked", "status")
        answer = self.answer(OrderRequest(kind, order.order_id), user_id=None, loyal=False,
                             context={**context, "verified": verified})
        return with_context(answer, {"verified": verified})
