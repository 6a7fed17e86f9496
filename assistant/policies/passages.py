"""Policy passages: every sentence of the store's policy documents, found by meaning and by words.

A shopper's policy question is answered by one or two sentences of the store's own text, quoted,
so the number in the answer ("30 days", "$5.95", "1-2 business days") is the store's number.
Each sentence is embedded with its document's heading (so "Returns: ... 30 days" and "Shipping:
... 3-5 days" stay apart) and scored by cosine similarity plus the share of the question's
rare words it contains (IDF-weighted): the embedder knows that "send back" means return, the
words know that "underwear" is in exactly one sentence.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# Documents that are rules for the assistant itself (which gesture it may offer), never quoted to shoppers.
INTERNAL_POLICIES = frozenset({"retention_offers"})
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_WORD = re.compile(r"[a-z0-9$][a-z0-9$.,%-]*[a-z0-9%]|[a-z0-9]")
_STOP = frozenset(
    "a an and are as at be been by can could do does did for from get got has have how i if in into is it its "
    "me my of on or our please so than that the their them then there this to was we what when where which "
    "who will with would you your yours any some much many long take takes more about".split())
# The policy document a service intent is most likely about: a hint for the sentence search, never a filter.
TOPIC_FOR_INTENT = {
    **dict.fromkeys(("delivery_options", "delivery_period", "track_order", "change_shipping_address",
                     "set_up_shipping_address"), "shipping"),
    **dict.fromkeys(("get_refund", "track_refund", "check_refund_policy", "cancel_order",
                     "check_cancellation_fee", "change_order"), "refunds"),
    **dict.fromkeys(("check_payment_methods", "payment_issue", "place_order", "check_invoice",
                     "get_invoice"), "payment_methods"),
    **dict.fromkeys(("create_account", "delete_account", "edit_account", "recover_password",
                     "registration_problems", "switch_account", "newsletter_subscription"), "account"),
}
LEXICAL_WEIGHT = 0.6  # how much the rare-word overlap counts next to the cosine (both in [0, 1])


@dataclass(frozen=True)
class Passage:
    topic: str  # the policy document's name, e.g. "returns"
    text: str  # one sentence, as the store wrote it
    bullet: int = 0  # sentences of one bullet share it: the store wrote them as one answer


@dataclass(frozen=True)
class PolicyAnswer:
    passages: tuple[Passage, ...]  # best first; empty when nothing answers
    score: float  # of the best passage


def _stem(word: str) -> str:
    word = word.strip(".,")
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


# Words shoppers use for what policy texts usually spell another way (US vs UK spelling, a region's short name,
# "pay later" for instalments); applied to the question and the policies alike.
ALIASES = {"europe": "eu", "european": "eu", "britain": "uk", "england": "uk", "british": "uk", "usa": "us",
           "america": "us", "installment": "instalment", "installments": "instalment", "later": "instalment",
           "bnpl": "instalment", "klarna": "instalment", "afterpay": "instalment", "color": "colour",
           "colors": "colour", "canceled": "cancelled", "overseas": "international", "abroad": "international"}


SEND_BACK = re.compile(r"\b(?:send|ship|bring|take|mail)\s+(?:\w+\s+){0,2}back\b")  # "send something back" is a return


def content_words(text: str) -> list[str]:
    text = SEND_BACK.sub("return", text.lower())
    return [_stem(ALIASES.get(w, w)) for w in _WORD.findall(text) if w not in _STOP]


def split_passages(policies: dict[str, str]) -> list[Passage]:
    """One passage per sentence of each bullet (or paragraph) of every shopper-facing document."""
    out: list[Passage] = []
    bullet = 0
    for topic, text in policies.items():
        if topic in INTERNAL_POLICIES:
            continue
        for line in text.splitlines():
            line = line.strip().lstrip("-*").strip()
            if not line or line.startswith("#"):
                continue
            bullet += 1
            out += [Passage(topic, s.strip(), bullet) for s in _SENTENCE_END.split(line) if len(s.split()) >= 3]
    return out


def _heading(text: str, topic: str) -> str:
    for line in text.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return topic.replace("_", " ").capitalize()


class PolicyIndex:
    def __init__(self, passages: list[Passage], vectors, idf: dict[str, float], embedder, *,
                 min_score: float = 0.45, second_within: float = 0.04) -> None:
        self.passages = passages
        self.vectors = vectors  # (passages, dim), unit length
        self.idf = idf
        self.embedder = embedder
        self.words = [set(content_words(p.text)) for p in passages]
        self.min_score = min_score  # below this the store's text does not answer the question
        self.second_within = second_within  # a second sentence is added only when it scores this close to the first

    @classmethod
    def build(cls, policies: dict[str, str], embedder, **options) -> PolicyIndex:
        passages = split_passages(policies)
        headings = {topic: _heading(text, topic) for topic, text in policies.items()}
        vectors = embedder.encode([f"{headings[p.topic]}: {p.text}" for p in passages], normalize_embeddings=True)
        df = Counter(w for p in passages for w in set(content_words(p.text)))
        idf = {w: math.log((len(passages) + 1) / (n + 0.5)) for w, n in df.items()}
        return cls(passages, vectors, idf, embedder, **options)

    def scores(self, question: str, *, vector=None, topics: Iterable[str] = ()) -> list[float]:
        """Cosine + LEXICAL_WEIGHT x IDF-weighted share of the question's words, + 0.05 for a hinted topic."""
        import numpy as np

        if vector is None:
            vector = self.embedder.encode([question], normalize_embeddings=True)[0]
        cosine = self.vectors @ np.asarray(vector)  # (passages,)
        asked = set(content_words(question))
        unseen = max(self.idf.values(), default=1.0)  # a word no policy uses still counts as asked
        weight = sum(self.idf.get(w, unseen) for w in asked) or 1.0
        hinted = set(topics)
        return [float(c) + LEXICAL_WEIGHT * sum(self.idf.get(w, unseen) for w in asked & words) / weight
                + (0.05 if p.topic in hinted else 0.0)
                for c, words, p in zip(cosine, self.words, self.passages)]

    def answer(self, question: str, *, vector=None, topics: Iterable[str] = ()) -> PolicyAnswer:
        """The sentence that answers, plus a second one from the same document when it scores nearly as well."""
        if not self.passages:
            return PolicyAnswer((), 0.0)
        scores = self.scores(question, vector=vector, topics=topics)
        ranked = sorted(range(len(scores)), key=lambda i: -scores[i])
        best = ranked[0]
        if scores[best] < self.min_score:
            return PolicyAnswer((), scores[best])
        chosen = [self.passages[best]]
        if len(ranked) > 1:
            second = ranked[1]
            if scores[best] - scores[second] <= self.second_within and self.passages[second].topic == self.passages[best].topic:
                chosen.append(self.passages[second])
        # The rest of the best sentence's bullet, when it is on the question too: "We ship to the US, Canada, the UK
        # and the EU." is followed by "International delivery takes 7-12 business days." for "how long to Europe?"
        chosen += [p for i, p in enumerate(self.passages) if p.bullet == self.passages[best].bullet and p not in chosen
                   and scores[i] >= self.min_score]
        return PolicyAnswer(tuple(chosen[:3]), scores[best])
