"""From commands to rooms: each command goes to the room that answers it, and their answers become one reply.

    rooms = Rooms(products, orders, talk, order_book)
    answer = rooms.answer(understood.commands, view=view, state=state, session_id=..., retriever=retriever)

The rooms never see the shopper's text: a search gets its `SearchProducts`, the order desk its `OrderChange`,
the policy room its `Policy` (which carries the question, to find the store's sentence that answers it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from assistant.commands import (
    AskShown,
    Bye,
    Clarify,
    Command,
    Confirm,
    Deny,
    Greet,
    Handoff,
    OrderChange,
    OrderIssue,
    OrderStatus,
    Policy,
    Recommend,
    Refine,
    SearchProducts,
    SessionState,
    Thanks,
)
from assistant.orders import OrderBook
from assistant.orders.desk import OrderDesk
from assistant.products import ProductDesk
from assistant.products.questions import answer_question
from assistant.reply.answer import Answer, combine
from assistant.reply.talk import Talk
from assistant.types import CustomerView

SHOPPING = (SearchProducts, Refine, AskShown, Recommend)


class Rooms:
    def __init__(self, products: ProductDesk, orders: OrderDesk, talk: Talk, book: OrderBook) -> None:
        self.products, self.orders, self.talk, self.book = products, orders, talk, book

    def answer(self, commands: tuple[Command, ...], *, view: CustomerView, state: SessionState, session_id: str | None,
               retriever=None) -> Answer:
        shopping = [c for c in commands if isinstance(c, SHOPPING)]
        if len(shopping) > 1:  # one set of cards per reply: the first shopping command the shopper gave
            commands = tuple(c for c in commands if not isinstance(c, SHOPPING) or c is shopping[0])
        answers = [self._one(c, view=view, state=state, session_id=session_id, retriever=retriever) for c in commands]
        return combine(answers)

    def _one(self, command: Command, *, view: CustomerView, state: SessionState, session_id: str | None, retriever) -> Answer:
        user_id, loyal = view.user_id, view.segment == "loyal"
        if isinstance(command, SearchProducts):
            return self.products.search(command, view=view, retriever=retriever)
        if isinstance(command, Refine):
            return self.products.refine(command, state=state, view=view, retriever=retriever)
        if isinstance(command, AskShown):
            cards = [self.products.catalog[i] for i in state.shown if i in self.products.catalog]
            return answer_question(command, cards, state.focus)
        if isinstance(command, Recommend):
            return self.products.recommend(self._taste(view), owned=self._owned(user_id))
        if isinstance(command, (OrderStatus, OrderChange, OrderIssue)):
            return self.orders.answer(command, user_id=user_id, loyal=loyal, state=state, session_id=session_id)
        if isinstance(command, (Confirm, Deny)):
            return self.orders.reply(command, user_id=user_id, loyal=loyal, state=state, session_id=session_id)
        if isinstance(command, Policy):
            return self.talk.policy(command)
        if isinstance(command, Handoff):
            if command.reason == "money":
                return self.talk.handoff("money trouble: charged twice or a missing refund", money=True)
            return self.talk.handoff("customer asked for a person")
        if isinstance(command, Greet):
            return self.talk.greeting(view)
        if isinstance(command, Thanks):
            return self.talk.thanks()
        if isinstance(command, Bye):
            return self.talk.goodbye()
        if isinstance(command, Clarify):
            return self.talk.clarify()
        return self.talk.decline()

    def _owned(self, user_id: str | None) -> set[str]:
        return {i.product_id for o in self.book.orders_of(user_id) for i in o.items} if user_id else set()

    def _taste(self, view: CustomerView) -> CustomerView:
        """A customer whose every purchase went back still said what they like by choosing it."""
        if view.top_categories or not view.user_id:
            return view
        orders = self.book.orders_of(view.user_id)
        catalog = self.products.catalog
        chosen = Counter(catalog[i.product_id].category for o in orders for i in o.items if i.product_id in catalog)
        return replace(view, top_categories=tuple(c for c, _ in chosen.most_common(3))) if chosen else view
