"""Questions about a store's rules, by topic, and requests no store answers (written for variety).

`POLICY` is keyed by the topics stores usually write down; a store's policy file whose name holds one of
these keys gets its questions ("payment_methods" gets "payment"). {m} is a payment method, {c} a country,
both read from the store's own policy text. `held` groups only go to the held-out command set.
"""

from __future__ import annotations

POLICY = {
    "return": {"plain": ("how do returns work?", "what's your return policy", "how long do i have to return something",
                         "can i return something i bought a month ago?", "do i pay for returns", "is return shipping free",
                         "can i exchange for a different size", "can i return opened makeup", "can underwear be returned",
                         "do i need the original box to return it", "how many days is the return window",
                         "can i swap it for another colour"),
               "held": ("what if i change my mind after buying", "is there a restocking fee on returns")},
    "refund": {"plain": ("how long does a refund take", "when will i get my money back", "how are refunds paid",
                         "do you refund to the original card", "if i cancel when is the refund", "what if my item arrives damaged",
                         "do you give store credit instead of refunds", "how fast is a refund after you get the return"),
               "held": ("how soon does the money hit my account after a return",)},
    "ship": {"plain": ("how long does shipping take", "how much is shipping", "is shipping free", "do you ship to {c}",
                       "how quick is express shipping", "what does express shipping cost", "do you deliver internationally",
                       "when will my order ship if i order today", "what's the cutoff for same day shipping",
                       "how long does delivery to {c} take", "do i get a tracking number", "can i change my address after ordering",
                       "whats the minimum for free delivery"),
             "held": ("how quick can you get something to me", "do you post to {c}")},
    "payment": {"plain": ("what payment methods do you take", "can i pay with {m}", "do you accept {m}", "do you take credit cards",
                          "can i pay in instalments", "what currencies do you accept", "can i pay in canadian dollars", "at what point do you charge my card", "my payment was declined, what do i do",
                          "do you accept gift cards", "can i split the payment", "is paying by {m} possible"),
                "held": ("which cards work on your site", "is {m} ok for paying")},
    "account": {"plain": ("how do i reset my password", "how can i remove my account", "how do i create an account",
                          "can i change my email address", "how do i unsubscribe from the newsletter", "do i earn points when i buy",
                          "how do loyalty points work", "how do i update my address on my account", "forgot my password",
                          "can i close my account"),
                "held": ("is there a rewards program", "what do i need to sign up")},
}
TWO_QUESTIONS = ("{q1} and {q2}", "{q1}? and {q2}?", "{q1}? also, {q2}", "two things: {q1}, and {q2}", "{q1}. {q2}?")

# Requests no store assistant answers, many of them with a product word in them ({p}: a product type).
NEAR_MISS = {
    "care": {"plain": ("how do i clean my {p}", "how do i get a stain out of my {p}", "how do i wash a {p}",
                       "what's the best way to store a {p}", "how do i fix a squeaky {p}", "my {p} smells weird, how do i clean it"),
             "held": ("any tips for looking after a {p}",)},
    "howto": {"plain": ("how do i use a {p} properly", "how do i assemble a {p} i bought elsewhere", "how do you set up a {p}",
                        "what's the history of the {p}", "who invented the {p}"),
              "held": ("teach me how a {p} works",)},
    "cook": {"plain": ("what's a good dinner idea", "give me a recipe for pancakes", "what can i make with eggs and spinach",
                       "how long do i roast a chicken", "what's a quick vegetarian dinner", "how do i make cold brew"),
             "held": ("what goes well with salmon for dinner",)},
    "school": {"plain": ("can you help with my physics homework", "solve 12 times 14", "what's the capital of canada",
                         "explain how volcanoes work", "write my essay about the civil war", "what year did the moon landing happen"),
               "held": ("check my math: is 7 times 8 56",)},
    "life": {"plain": ("what's the weather going to be like this weekend", "which airline is best for long flights",
                       "where should i go on holiday in june", "book me a hotel in rome", "what time is it in london",
                       "recommend a good movie for tonight", "tell me something funny", "who won the football last night",
                       "what's a good name for a puppy", "how do i ask for a raise"),
             "held": ("which city has the best nightlife", "is it going to snow tomorrow")},
    "opinions": {"plain": ("is it better to rent or buy a {p}", "how often should i replace my {p}", "why does my {p} keep breaking",
                           "can a {p} be recycled", "what's the environmental impact of a {p}", "are {p}s worth it in general",
                           "how do they make a {p}", "is it safe to sleep next to a {p}"),
                 "held": ("should i get my kid a {p} or is that silly",)},
    "other_shops": {"plain": ("can you order me a pizza", "book a table for two tonight", "do you sell car insurance",
                              "can you find me a plumber", "sell me concert tickets", "get me a taxi"),
                    "held": ("can you renew my phone contract",)},
}
