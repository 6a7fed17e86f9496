"""The order desk: answers the shopper's order commands (where is it, what was in it, cancel it, return it, send
it elsewhere, it arrived broken) from the customer's real orders.

    desk = OrderDesk(book, policies, emails, today=lambda: date(2026, 10, 31))
    asked = desk.answer(OrderChange("cancel"), user_id="C0114", loyal=False, state=SessionState())
    desk.reply(Confirm(), user_id="C0114", loyal=False, state=SessionState(pending=PendingChange("cancel", "O00856")))

A change is never made on the command that asks for it: the desk names the order, says whether the store's rules
allow the change and asks; only a `Confirm` to that question carries it out (and the book makes each action once).
Which order: the id the shopper names, else the newest order holding the item they name, else the one before or
the one just talked about when they say so, else the latest; an id or an item not on their account is said to be
so, never swapped for another order. Guests prove an order with its number and e-mail, and nothing about an order
is said before both match. The store's numbers (return window, refund times) come from its policy text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import date

from assistant.commands import Confirm, Deny, OrderChange, OrderIssue, OrderRef, SessionState
from assistant.orders.book import MAX_ADDRESS_CHARS, Order, OrderBook
from assistant.orders.words import (
    DEEDS,
    GUEST_ASK,
    GUEST_ASK_AFTER_RULE,
    INTENTS,
    NO_MATCH,
    NO_ORDERS,
    NO_RETURNS,
    NOTHING_TO_DROP,
    NOTHING_WAITING,
    ORDER_FACTS,
    RULE_EVIDENCE,
    RULES,
    SORRY,
    STATUS_WORDS,
    OrderCommand,
    cannot_cancel,
    holds,
    item_words,
    items_phrase,
    items_sentence,
    kind_of,
    no_order_with,
    not_cancelled,
    not_on_account,
    note_of,
    order_line,
    pending,
    requiring,
    return_refusal,
    rule_terms,
    status_sentence,
    status_terms,
    we_email,
    with_context,
    with_sentence,
)
from assistant.policies import PolicyIndex
from assistant.reply.answer import ActionNote, Answer
from assistant.reply.words import day


class OrderDesk:
    def __init__(self, book: OrderBook, policies: PolicyIndex, emails: Mapping[str, str], *,
                 today: Callable[[], date]) -> None:
        self.book = book
        self.policies = policies
        self.emails = {cid: email.lower() for cid, email in emails.items()}  # customer id -> e-mail, for guests
        self.today = today  # the store's clock (the demo store's clock stands at its newest order)
        self.window, self.loyal_window = self._windows()

    # -- the store's own words --------------------------------------------------------------
    def policy(self, question: str, topic: str, *, min_score: float = 0.0) -> str | None:
        answer = self.policies.answer(question, topics=(topic,))
        return answer.passages[0].text if answer.passages and answer.score >= min_score else None

    def rule(self, kind: str) -> str | None:
        """The store's sentence for this kind of request, when its policies have one."""
        if kind not in RULES:
            return None
        question, topic = RULES[kind]
        return self.policy(question, topic, min_score=RULE_EVIDENCE)

    def _windows(self) -> tuple[int, int]:
        """The return windows written in the returns policy ("within 30 days ... Loyal members get 60 days")."""
        text = " ".join(p.text for p in self.policies.passages if p.topic == "returns")
        usual = re.search(r"within (\d+) days", text)
        loyal = re.search(r"(?:loyal|vip)[^.]*?(\d+) days", text, re.I)
        days = int(usual.group(1)) if usual else 30
        return days, int(loyal.group(1)) if loyal else days

    # -- entry --------------------------------------------------------------------------------
    def answer(self, command: OrderCommand, *, user_id: str | None, loyal: bool, state: SessionState,
               session_id: str | None = None) -> Answer:
        """Say what the command asks about the right order; a change is only named, checked and asked about (and
        its question replaces any earlier one, so a later yes never carries out a change asked about before)."""
        answer = self._answer(command, user_id=user_id, loyal=loyal, state=state, session_id=session_id)
        if isinstance(command, OrderChange) and "pending" not in answer.context:
            return with_context(answer, {"pending": None})
        return answer

    def _answer(self, command: OrderCommand, *, user_id: str | None, loyal: bool, state: SessionState,
                session_id: str | None) -> Answer:
        ref = command.order
        if user_id is None and ref.order_id and ref.email:
            return self._verify(command, loyal=loyal, state=state, session_id=session_id)
        if user_id is None and not state.verified:
            return self._guest_ask(kind_of(command))
        orders = self._orders(user_id, state)
        if not orders:
            return Answer("order", NO_ORDERS, facts=("The customer has no orders.",), intent=INTENTS[kind_of(command)])
        order = self._pick(orders, command, state)
        if isinstance(order, Answer):
            return order
        pointed = bool(ref.order_id or ref.item or ref.which != "latest")
        if isinstance(command, OrderIssue):
            return self._issue(order, command.problem)
        if isinstance(command, OrderChange):
            if command.kind == "cancel":
                return self._ask_cancel(order, orders, pointed=pointed)
            if command.kind == "return":
                return self._ask_return(order, loyal=loyal)
            return self._ask_address(order, command.new_address)
        if command.asks == "return_status":
            return self._return_status(order, [order] if pointed else orders)
        return {"status": self._status, "date": self._date, "items": self._items}[command.asks](order)

    def reply(self, command: Confirm | Deny, *, user_id: str | None, loyal: bool, state: SessionState,
              session_id: str | None = None) -> Answer:
        """The shopper's yes or no to the change the desk asked about: the yes carries it out, once."""
        change = state.pending
        order = self._pending_order(user_id, state)
        if order is None:
            text = NOTHING_WAITING if isinstance(command, Confirm) else NOTHING_TO_DROP
            return Answer("order", text, facts=("No order change is waiting for the shopper's answer.",), forbidden=DEEDS,
                          intent=INTENTS[change.kind] if change else "track_order", context={"pending": None})
        owner = order.customer_id
        if isinstance(command, Deny):
            text = f"No problem, I've left your order {order.order_id} as it is."
            answer = self._base(order, text, [text, "Nothing was changed."], intent=INTENTS[change.kind],
                                required=((order.order_id,),))
        elif change.kind == "cancel":
            answer = self._cancel(order, owner=owner, session_id=session_id)
        elif change.kind == "return":
            answer = self._start_return(order, owner=owner, loyal=loyal, session_id=session_id)
        elif change.new_address is None:  # a yes to "what is the new address?": ask again
            answer = self._ask_address(order, None)
        else:
            answer = self._change_address(order, change.new_address, owner=owner, session_id=session_id)
        return answer if "pending" in answer.context else with_context(answer, {"pending": None})

    # -- whose orders, which order ---------------------------------------------------------------
    def _orders(self, user_id: str | None, state: SessionState) -> list[Order]:
        """The customer's orders, newest first; a verified guest sees only the order they proved."""
        orders = self.book.orders_of(user_id or state.verified["customer_id"])
        return orders if user_id else [o for o in orders if o.order_id == state.verified["order_id"]]

    def _pending_order(self, user_id: str | None, state: SessionState) -> Order | None:
        """The order of the change waiting for an answer, if one waits, has not expired and is this shopper's."""
        change = state.pending
        if change is None or change.turns_left <= 0 or (user_id is None and not state.verified):
            return None
        return next((o for o in self._orders(user_id, state) if o.order_id == change.order_id), None)

    def _pick(self, orders: list[Order], command: OrderCommand, state: SessionState) -> Order | Answer:
        """The order the command means, or an answer saying the id or item named is not on the account."""
        ref, intent = command.order, INTENTS[kind_of(command)]
        if ref.order_id:
            wanted = ref.order_id.upper()
            return next((o for o in orders if o.order_id == wanted), None) or Answer(
                "order", not_on_account(wanted), facts=(f"No order {wanted} on this account.",),
                codes=frozenset({wanted}), forbidden=ORDER_FACTS + DEEDS, intent=intent)
        words = item_words(ref.item or "")
        if words:
            holding = next((o for o in orders if holds(o, words, self.book.catalog)), None)  # newest first
            return holding or self._no_order_with(ref.item, orders, kind_of(command))
        by_id = {o.order_id: o for o in orders}
        asked = state.pending
        if (isinstance(command, OrderChange) and command.kind == "address" and command.new_address and asked
                and asked.kind == "address" and asked.new_address is None and asked.turns_left > 0
                and asked.order_id in by_id):  # the new address the desk asked for
            return by_id[asked.order_id]
        if ref.which == "this" and state.order_id in by_id:
            return by_id[state.order_id]
        if ref.which == "previous" and len(orders) > 1:
            return orders[1]
        return orders[0]

    def _no_order_with(self, item: str, orders: list[Order], kind: str) -> Answer:
        """No order holds the item: say so and list the recent ones, so the shopper can point at the right one."""
        recent = orders[:3]
        rule = self.rule(kind) if kind in SORRY else None  # a problem with what arrived: the store's rule still holds
        facts = tuple(s for s in (no_order_with(item, recent), rule) if s)
        return Answer("order", " ".join(facts), facts=facts, codes=frozenset(o.order_id for o in recent),
                      required=(("couldn't find", "could not find"),), forbidden=DEEDS, intent=INTENTS[kind])

    # -- answers about an order -----------------------------------------------------------------
    def _base(self, order: Order, text: str, facts: list[str], *, intent: str, context: dict | None = None,
              action: ActionNote | None = None, **extra) -> Answer:
        """An answer about one order: its amounts and id may be stated, no deed the book did not do may be
        claimed, and the next turn remembers the order."""
        amounts = {round(i.unit_price, 2) for i in order.items} | {round(i.unit_price * i.quantity, 2) for i in order.items}
        done = action is not None and action.outcome in ("done", "already")
        return Answer("order", text, facts=tuple(facts), codes=frozenset({order.order_id}),
                      amounts=frozenset(amounts | {order.total}), intent=intent, action=action,
                      forbidden=not_cancelled(order) + (() if done else DEEDS),
                      context={"order_id": order.order_id, **(context or {})}, **extra)

    def _status(self, order: Order) -> Answer:
        text = status_sentence(order)
        facts = [text.replace("Your order", "Order")]
        if order.status == "processing":
            text += " It hasn't shipped yet, so you can still cancel it or change its delivery address."
            facts.append("It can still be cancelled or sent to another address.")
        elif order.status == "shipped":
            tracking = self.policy("when do I get a tracking link", "shipping")
            if tracking:
                text += " " + tracking
                facts.append(tracking)
        return self._base(order, text, facts, intent="track_order",
                          required=(status_terms(order), (order.order_id,)))

    def _date(self, order: Order) -> Answer:
        answer = self._status(order)
        if order.status in ("processing", "shipped"):
            timing = self.policy("how long does standard shipping take", "shipping")
            if timing:
                answer = with_sentence(answer, timing)
        return requiring(answer, (f"{order.placed_on:%B} {order.placed_on.day}",))

    def _items(self, order: Order) -> Answer:
        text = items_sentence(order)
        return self._base(order, text, [text.replace("Your order", "Order")], intent="track_order",
                          required=((order.items[0].title,), (order.order_id, f"{order.placed_on:%B} {order.placed_on.day}")))

    def _return_status(self, order: Order, candidates: list[Order]) -> Answer:
        """The newest return among the orders asked about: one opened here and on its way back, or one received."""
        ids = {o.order_id for o in candidates}
        opened = next((a for a in self.book.actions(customer_id=order.customer_id)
                       if a.kind == "return" and a.order_id in ids), None)
        returned = next((o for o in candidates if any(i.status == "returned" for i in o.items)), None)
        refund = self.rule("return_status")
        if opened is not None and (returned is None or opened.created_at[:10] >= returned.placed_on.isoformat()):
            target = self.book.get(opened.order_id)
            text = (f"Your return for order {target.order_id} ({items_phrase(target)}) was opened on "
                    f"{day(date.fromisoformat(opened.created_at[:10]))}; we're waiting for the parcel to reach our warehouse.")
            answer = self._base(target, text, [text.replace("Your return", "The return")], intent="track_refund",
                                required=((target.order_id,),))
        elif returned is not None:
            item = next((i for i in returned.items if i.status == "returned"), returned.items[0])
            text = (f"Your return of the {item.title} from order {returned.order_id} ({day(returned.placed_on)}) was "
                    "received: it is marked returned.")
            answer = self._base(returned, text, [text.replace("Your return", "The return")], intent="track_refund",
                                required=(("returned",), (returned.order_id, item.title)))
        elif len(candidates) == 1:
            text = (f"I don't see a return for your order {order_line(order)}. If you'd like to return something "
                    "from it, just ask.")
            return self._base(order, text, [text], intent="track_refund", required=((order.order_id,),))
        else:
            return Answer("order", NO_RETURNS, facts=("The customer has no returns.",), intent="track_refund")
        return with_sentence(answer, refund) if refund else answer

    def _issue(self, order: Order, problem: str) -> Answer:
        """Something wrong with what arrived: the store's rule for it, about the right order, and a person offered."""
        rule = self.rule(problem)
        text = f"{SORRY[problem]} Your order {order_line(order)} {STATUS_WORDS[order.status]}."
        if rule:
            text += " " + rule
        text += " I can also connect you with a member of our team."
        return self._base(order, text, [text], intent="complaint", required=((order.order_id,),) + rule_terms(rule))

    # -- cancel ----------------------------------------------------------------------------------
    def _ask_cancel(self, order: Order, orders: list[Order], *, pointed: bool) -> Answer:
        if order.status == "processing":
            text = (f"Your order {order_line(order)} hasn't shipped yet, so it can still be cancelled. "
                    "Would you like me to cancel it?")
            return self._base(order, text, [text], intent="cancel_order", required=((order.order_id,), ("cancel",)),
                              context=pending("cancel", order))
        outcome = "already" if order.status == "cancelled" else "refused"
        answer = self._cannot_cancel(order, ActionNote("cancel", order.order_id, outcome,
                                                       None if outcome == "already" else "not_processing"))
        other = next((o for o in orders if o.status == "processing"), None)
        if other is not None and not pointed:  # "cancel my order" may mean the one still being prepared
            hint = (f"Your order {other.order_id} ({items_phrase(other)}) has not shipped yet; "
                    f"say \"cancel {other.order_id}\" if you want that one cancelled.")
            answer = with_sentence(answer, hint, codes={other.order_id})
        return answer

    def _cancel(self, order: Order, *, owner: str, session_id: str | None) -> Answer:
        result = self.book.cancel(order.order_id, customer_id=owner, session_id=session_id)
        if not result.done:
            return self._cannot_cancel(result.order or order, note_of(result))
        refund = self.policy("when is a cancelled order refunded", "refunds")
        text = f"Done: I've cancelled your order {order.order_id} ({items_phrase(order)}) from {day(order.placed_on)}."
        facts = [f"Order {order.order_id} is now cancelled."]
        if refund:
            text += " " + refund
            facts.append(refund)
        return self._base(result.order, text, facts, intent="cancel_order", action=note_of(result),
                          required=((order.order_id,), ("cancel",)))

    def _cannot_cancel(self, order: Order, note: ActionNote) -> Answer:
        if order.status == "cancelled":
            text = f"Your order {order.order_id} ({items_phrase(order)}) is already cancelled, so there is nothing more to do."
            return self._base(order, text, [text.replace("Your order", "Order")], intent="cancel_order", action=note,
                              required=((order.order_id,), ("already",)))
        text = cannot_cancel(order, self.window)
        return self._base(order, text, [text.replace("Your order", "Order")], intent="cancel_order", action=note,
                          required=((order.order_id,), status_terms(order)))

    # -- return ----------------------------------------------------------------------------------
    def _ask_return(self, order: Order, *, loyal: bool) -> Answer:
        window = self.loyal_window if loyal else self.window
        if any(a.kind == "return" for a in self.book.actions(order_id=order.order_id)):
            return self._return_open(order, ActionNote("return", order.order_id, "already"))
        days = (self.today() - order.placed_on).days
        if order.status == "delivered" and days <= window:
            how = [s for s in (self.policy("how do I start a return, is there a return label", "returns"),
                               self.policy("do returns cost anything", "returns")) if s]
            text = (f"You can return items within {window} days of delivery. Your order {order_line(order)} is still "
                    f"within that window. {' '.join(dict.fromkeys(how))} Would you like me to start the return now?")
            return self._base(order, text, [text], intent="get_refund", required=((f"{window} days", f"{window}-day"),),
                              context=pending("return", order))
        refused = {"returned": "returned", "delivered": "outside_window"}.get(order.status, "not_delivered")
        text = f"You can return items within {window} days of delivery. " + return_refusal(order, window, days)
        return self._base(order, text, [text], intent="get_refund", required=((f"{window} days", f"{window}-day"),),
                          action=ActionNote("return", order.order_id, "refused", refused))

    def _start_return(self, order: Order, *, owner: str, loyal: bool, session_id: str | None) -> Answer:
        window = self.loyal_window if loyal else self.window
        result = self.book.start_return(order.order_id, customer_id=owner, window_days=window, today=self.today(),
                                        session_id=session_id)
        if result.done or result.already:
            return self._return_open(order, note_of(result))
        text = return_refusal(result.order or order, window, result.days_since_order or 0)
        return self._base(order, text, [text], intent="get_refund", action=note_of(result), required=((order.order_id,),))

    def _return_open(self, order: Order, note: ActionNote) -> Answer:
        """A return started now (or before): how the parcel goes back, and when the money comes."""
        label = self.policy("how do I start a return, is there a return label", "returns")
        first = (f"I've started a return for your order {order.order_id} ({items_phrase(order)})." if note.outcome == "done"
                 else f"A return for your order {order.order_id} ({items_phrase(order)}) is already open.")
        text = " ".join(s for s in (first, label and we_email(label), self.policy("when will I get my refund", "refunds")) if s)
        return self._base(order, text, [text], intent="get_refund", action=note, required=((order.order_id,), ("return",)))

    # -- delivery address ------------------------------------------------------------------------
    def _ask_address(self, order: Order, address: str | None) -> Answer:
        """Read a new address back for a yes, or ask for it; a parcel already sent cannot be rerouted."""
        if order.status != "processing":
            rule = self.policy("can I change the delivery address after it shipped", "shipping")
            text = f"Your order {order_line(order)} {STATUS_WORDS[order.status]}, so its delivery address can't be changed."
            if rule and order.status == "shipped":
                text += " " + rule
            return self._base(order, text, [text], intent="change_shipping_address", required=((order.order_id,),),
                              action=ActionNote("address_change", order.order_id, "refused", "not_processing"))
        address = (address or "").strip()
        if address and len(address) <= MAX_ADDRESS_CHARS:
            text = (f"Your order {order_line(order)} hasn't shipped yet, so its delivery address can still be changed. "
                    f"Shall I send order {order.order_id} ({items_phrase(order)}) to {address} instead?")
            return self._base(order, text, [text], intent="change_shipping_address",
                              required=((order.order_id,), (address[:20],)), context=pending("address", order, address))
        text = (f"Your order {order_line(order)} hasn't shipped yet, so I can change its delivery address. "
                + ("That address is too long for me: please give the street address on one line." if address else
                   "What is the new address?"))
        return self._base(order, text, [text], intent="change_shipping_address", required=((order.order_id,),),
                          context=pending("address", order))

    def _change_address(self, order: Order, address: str, *, owner: str, session_id: str | None) -> Answer:
        result = self.book.change_address(order.order_id, customer_id=owner, address=address, session_id=session_id)
        if not (result.done or result.already):
            return self._ask_address(result.order or order, None)  # shipped meanwhile: says why it can't
        text = f"Done: your order {order.order_id} ({items_phrase(order)}) will now be delivered to {address}."
        return self._base(order, text, [text], intent="change_shipping_address", action=note_of(result),
                          required=((order.order_id,), (address[:20],)))

    # -- guests ----------------------------------------------------------------------------------
    def _guest_ask(self, kind: str) -> Answer:
        """Sign in or prove the order; the store's rule first when it answers the question without any order."""
        rule = self.rule(kind)
        text, facts = GUEST_ASK, ("The shopper is not signed in.",)
        if rule:
            text = " ".join(s for s in (SORRY.get(kind), rule, GUEST_ASK_AFTER_RULE) if s)
            facts += (rule,)
        return Answer("order", text, facts=facts, intent=INTENTS[kind], forbidden=ORDER_FACTS + DEEDS,
                      required=(("order number",), ("email",)) + rule_terms(rule))

    def _verify(self, command: OrderCommand, *, loyal: bool, state: SessionState, session_id: str | None) -> Answer:
        """A guest's order number and e-mail: when both match, the command is answered about that order alone."""
        ref = command.order
        order = self.book.get(ref.order_id.upper())
        if order is None or self.emails.get(order.customer_id) != ref.email.strip().lower():
            return Answer("order", NO_MATCH, facts=("The order number and e-mail do not match.",),
                          intent=INTENTS[kind_of(command)], forbidden=ORDER_FACTS + DEEDS)
        verified = {"customer_id": order.customer_id, "order_id": order.order_id}
        proven = replace(command, order=OrderRef(order_id=order.order_id))
        answer = self.answer(proven, user_id=None, loyal=loyal, state=replace(state, verified=verified),
                             session_id=session_id)
        return with_context(answer, {"verified": verified})
