"""Grounded reply turns for the adapter: the serving prompt (facts in), the composed reply (facts out).

    turns = build_grounded(service, random.Random(13), conversations=700)   # {"train": [...], "heldout": [...]}

Every turn runs through the real turn service (`TurnService.plan`) on the demo store: the same
understanding, product search, order desk (on a throwaway copy of the order book, so cancels and
returns really happen), policy sentences and retention gesture as a shopper meets. The prompt is
`assistant.reply.writer.draft_prompt`, exactly what the model reads when it drafts a reply; the
target is the reply composed from the same facts, lightly reworded (`reword`), so the model learns
to state those facts and nothing else. No Bitext answer text is used anywhere: targets hold no
placeholder. Conversations are held out by phrasing (the last quarter of every list of asks below)
and by customer (every fifth), so the held-out pass rate measures asks and shoppers never trained on.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

from assistant.reply.writer import draft_prompt

# Asks written for this builder (never copied from an evaluation set). Each list is split: its last
# quarter is held out.
ORDER_ASKS = {
    "status": ("where's my stuff?", "any news on my order?", "is my order on its way?", "what's happening with my order",
               "can you check on my package", "has my last purchase shipped", "track my order please", "did my order go out yet?",
               "what's the status of my latest order", "is my parcel coming today?", "any update on my delivery?", "where is my purchase"),
    "date": ("when did I place my last order?", "when will my order come?", "what date did I order my last thing?",
             "how soon will my order arrive?", "when did my last package get delivered?", "when is my delivery due?",
             "what day did I buy my last order?", "when should I expect my order?"),
    "items": ("what did I buy last time?", "what's in my latest order?", "remind me what I ordered", "which items were in my last order?",
              "what was my most recent purchase?", "list what I got in my last order", "what did I order recently?", "what's in my package?"),
    "cancel": ("please cancel my latest order", "I need to cancel my order", "cancel the order I just placed", "can I cancel my purchase?",
               "stop my order please", "I changed my mind, cancel my order", "cancel my most recent purchase", "I want my order cancelled"),
    "return": ("I'd like to return my last order", "start a return for my order", "I want to send my order back",
               "can you set up a return for my last purchase", "return my recent order please", "I need to return what I bought"),
    "how_return": ("how can I return my last order?", "how do I send my purchase back?", "can I return my last order?",
                   "how do returns work for my order?", "could I still return my order?", "is it too late to return my order?"),
    "address": ("can I change the delivery address on my order?", "I need my order sent to a different address",
                "change the shipping address for my order", "my order should go to my new address", "update my order's address"),
    "damaged": ("my order arrived damaged", "the item in my package is broken", "my last order came broken", "something in my order is faulty",
                "what I received is defective", "my package arrived crushed and the item is broken"),
    "return_status": ("how is my return going?", "did you get my return?", "any update on my return?", "what's happening with my refund for the return?",
                      "has my return been processed?", "status of my return please"),
}
NEW_ADDRESSES = ("17 Maple Avenue, Portland", "350 Harbor Drive, Apt 4, San Diego", "8 Birch Lane, Madison",
                 "1200 Lake Shore Road, Chicago", "55 King Street, Toronto", "9 Station Road, Leeds")
GUEST_ASKS = ("where is that order of mine?", "has my package shipped?", "I want to cancel my order", "when will my order arrive?",
              "what's the status of my delivery?", "can you track my parcel?", "I need to return something")
POLICY_ASKS = (
    "what's the return window?", "how long have I got to return something?", "do loyal members get longer returns?",
    "how much is standard delivery?", "is shipping free?", "how many days is standard shipping?", "how quick is express shipping?",
    "how much does express delivery cost?", "do you ship to Canada?", "do you deliver to Europe?", "how long does international delivery take?",
    "which cards do you accept?", "do you take PayPal?", "can I use Google Pay?", "can I split my payment?",
    "when will I be charged?", "my card was declined, what should I do?", "how long until I get my refund?",
    "how fast are refunds for cancelled orders?", "what if my item arrives damaged?", "do you give store credit?",
    "are returns free?", "is there a return fee?", "can I exchange for a different size?", "can I return opened makeup?",
    "do I get a tracking number?", "when do orders ship?", "can I change my address after shipping?", "how do I reset my password?",
    "how do I change my email or name?", "can I close my account?", "do purchases earn loyalty points?", "do you have a loyalty program?",
    "how do I make an account?", "does the return label cost money?", "is returning free if the item is faulty?",
    "how long is the password reset link good for?", "can I pay in installments?", "do you ship overseas?", "what payment methods work?",
)
FOLLOW_ASKS = ("which one is the cheapest?", "which of these is best rated?", "is the second one in stock?", "tell me more about the first one",
               "what does the third one cost?", "show me something cheaper", "which is the most expensive?", "is that one in stock?",
               "anything cheaper?", "what about the last one?", "any of them in stock?", "compare the top two")
RECOMMEND_ASKS = ("what would you suggest for me?", "any picks for me?", "got something I might like?", "recommend me something",
                  "what should I get?", "surprise me with a suggestion", "what's good for me?", "anything new for me?")
SOCIAL = ("hi", "hello there!", "hey there", "good evening", "hi, it's been a while", "hello again", "thanks, bye", "thank you!",
          "that's all, thanks", "goodbye", "cheers", "ok", "no thanks", "who are you?", "what can you help with?",
          "I want to talk to a human", "get me a manager", "I was charged twice", "my refund never arrived",
          "this service is terrible", "I'm not happy with my last experience")


KINDS = ("search", "search", "follow", "order", "order", "order", "policy", "recommend", "social", "guest", "oos")


def _split(items: Sequence, heldout: bool) -> list:
    cut = max(1, len(items) * 3 // 4)
    return list(items[cut:] if heldout else items[:cut])


def reword(text: str, rng: random.Random) -> str:
    """Same facts, another common wording: the model learns to phrase, not to copy one template."""
    swaps = ((r"^I'd suggest ", ("I'd recommend ", "You might like ", "I'd suggest ")),
             (r" Another good option is ", (" You could also look at ", " Another option is ", " Another good option is ")),
             (r"^Done: I've cancelled ", ("I've cancelled ", "Done: I've cancelled ")),
             (r"^Of course\. ", ("Sure. ", "Of course. ")),
             (r"^Hello! ", ("Hi! ", "Hello! ")))
    for pattern, options in swaps:
        text = re.sub(pattern, rng.choice(options), text)
    return text


def _record(answer, message: str, target: str, source: str) -> dict:
    """The chat to train on, plus what the draft check needs to judge a draft of it later (benchmarks/reply_drafts.py)."""
    prompt = draft_prompt(answer, message)
    return {"messages": [{"role": m.role, "content": m.content} for m in prompt.messages]
            + [{"role": "assistant", "content": target}], "kind": answer.kind, "source": source,
            "check": {"composed": answer.text, "facts": list(answer.facts), "required": [list(g) for g in answer.required],
                      "forbidden": list(answer.forbidden), "amounts": sorted(answer.amounts), "codes": sorted(answer.codes)}}


def build_grounded(service, rng: random.Random, *, conversations: int, rows: dict[str, dict[str, list[str]]],
                   progress: Callable | None = None) -> dict[str, list[dict]]:
    """{"train": [...], "heldout": [...]}: one record per assistant turn of `conversations` scripted chats.
    `rows[split]["shopping" | "out_of_scope"]`: real shopping queries and stray requests for that split."""
    from assistant.turn import carry_state

    customers = service.deps.profiles.customers
    with_orders = [c for c in sorted(customers) if service.orders.orders_of(c)]
    out: dict[str, list[dict]] = {"train": [], "heldout": []}
    steps = range(conversations)
    for i in (progress(steps) if progress else steps):
        heldout = i % 5 == 4
        split = "heldout" if heldout else "train"
        pool = [c for j, c in enumerate(with_orders) if (j % 5 == 4) == heldout]
        user = rng.choice(pool)
        kind = rng.choice(KINDS)
        script = _script(kind, rng, heldout, rows[split]["shopping"], rows[split]["out_of_scope"], user)
        if kind == "guest":  # then the order number and e-mail: the right pair, or one that does not match
            owner = rng.choice(pool)
            order = service.orders.orders_of(owner)[0].order_id
            email = customers[owner].email if rng.random() < 0.7 else f"someone{rng.randint(1, 99)}@example.com"
            script.append((rng.choice([f"it's {order}, {email}", f"order {order}, email {email}",
                                       f"my order number is {order} and my email is {email}"]), None))
        context: dict = {}
        for say, user_id in script:
            session = f"grounded-{i}"
            _, answer, _, _ = service.plan(say, user_id=user_id, session_id=session, context=context)
            out[split].append(_record(answer, say, reword(answer.text, rng), f"{kind}-{split}"))
            context = carry_state(context, answer)
    return out


def _script(kind: str, rng: random.Random, heldout: bool, shopping_rows, oos_rows, user: str) -> list[tuple[str, str | None]]:
    """The shopper's messages of one conversation, each with the user id it is sent as."""
    pick = lambda items: rng.choice(_split(items, heldout))  # noqa: E731
    if kind == "search":
        return [(rng.choice(shopping_rows), rng.choice([None, user]))]
    if kind == "follow":
        return [(rng.choice(shopping_rows), None), (pick(FOLLOW_ASKS), None)]
    if kind == "order":
        ask = rng.choice(sorted(ORDER_ASKS))
        turns = [(pick(ORDER_ASKS[ask]), user)]
        if ask == "address":
            turns.append((pick(NEW_ADDRESSES), user))
        elif ask == "how_return":
            turns.append((rng.choice(["yes please", "yes", "no, leave it"]), user))
        return turns
    if kind == "policy":
        return [(pick(POLICY_ASKS), rng.choice([None, user]))]
    if kind == "recommend":
        return [(pick(RECOMMEND_ASKS), user)]
    if kind == "social":
        return [(pick(SOCIAL), rng.choice([None, user]))]
    if kind == "guest":
        return [(pick(GUEST_ASKS), None)]
    return [(rng.choice(oos_rows), rng.choice([None, user]))]
