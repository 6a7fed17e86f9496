"""The check a model-written draft must pass before a shopper sees it.

A draft passes when it says every required fact of its `Answer` and nothing the facts do not hold:
no placeholder, link or foreign currency; no dollar amount, number, date, code, product title or
customer name that is not in the facts (or the shopper's own words); nothing the facts make false
("has been cancelled" when nothing was); nothing about the customer's profile (scores, segments);
and no content word that neither the facts, the composed reply, the shopper's message nor the
plain wording of a shop reply (`PHRASING`) contains: "I'm sorry for your loss", "$46.99 per
device" or "our local business" fail, because nothing in the turn says so.

    problems = DraftCheck(catalog_titles, people).problems(draft, answer, message)   # [] = send it
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from assistant.reply.answer import Answer

PLACEHOLDER = re.compile(r"\[[^\]\n]{1,40}\]|\{\{?[^}]*\}\}?|<[A-Za-z_ ]{3,}>|\b[a-z]+_[a-z_]+\b|\b[a-z]+\(\)")
LINK_OR_CURRENCY = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|net|org|co\.uk|io)\b|[£€¥₹]|\b(?:GBP|EUR|pounds?|euros?)\b", re.I)
MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
CODE = re.compile(r"\b[A-Z][A-Z0-9-]{3,}\b")
MONTH_DAY = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2}\b")
PRIVATE = re.compile(r"\b(?:churn|segment|at[- ]risk|lapsed|risk (?:score|tier)|clv|lifetime value|vip)\b", re.I)
FACT_LABEL = re.compile(r"\b(?:product|pick|fact)s? \d+:|^\s*-\s|\bfacts?:", re.I | re.M)
ORDER_CODE = re.compile(r"\bO\d{4,}\b")  # an order the composed reply is about must be named by the draft too
MIN_WORDS, MAX_WORDS = 2, 120
WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# The words any shop reply may use beyond its facts: function words and the plain courtesy of a reply.
PHRASING = frozenset("""
a an the and or but so if then than that this these those it its it's they them their there here what which who
whom whose when where why how i i'm i've i'd i'll me my we we're we've we'll us our you you're you've you'd you'll
your yours is are was were be been being am do does did done have has had having can could will would shall should
may might must not no yes of to in on at by for from with about as into over under up down out off again also just
only very really too more most some any all both each every other another such one two own same well still yet now
today soon already please thanks thank sorry hello hi hey welcome glad happy great good nice sure course certainly
of okay ok let know help helping assist find found look looking check checked see show showing shown here's there's
that's what's it's like suggest suggestion recommend recommendation option options choice pick picks idea ideas
might want wanted would like love need needs anything something everything nothing else further way ways get got
give take make go going come right away time day days business afternoon morning evening nice wonderful
excellent perfect happy absolutely definitely indeed note please feel free ask question questions reply answer
""".split())

def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _amount(raw: str) -> float:
    return round(float(raw.replace(",", "")), 2)


TITLE_PRICE = re.compile(r"([A-Z][\w'&-]*(?: [\w'&-]+){1,7}) \(\$(\d[\d,]*(?:\.\d{1,2})?)\)")


class DraftCheck:
    def __init__(self, titles: Iterable[str], people: Iterable[str], prices: Mapping[str, Iterable[float]] | None = None) -> None:
        """`prices`: each catalog title (any case) with its price(s), so "Title ($X)" in a draft must be that title's price."""
        self.prices = {t.lower(): {round(p, 2) for p in ps} for t, ps in (prices or {}).items()}
        names = set()
        self.titles = {title.lower() for title in titles}
        for title in titles:
            names.add(title.lower())
            words = title.split()
            if len(words) >= 4:
                names.add(" ".join(words[:3]).lower())  # "Sonora Summit 100" names the product too
        self.product_names = sorted(names, key=len, reverse=True)
        self.people = [p.lower() for p in people if p and len(p) > 3]  # customers' names and e-mails

    def problems(self, draft: str, answer: Answer, message: str) -> list[str]:
        text = draft.strip()
        grounded = " ".join((answer.text, *answer.facts, message))
        low, grounded_low = text.lower(), grounded.lower()
        found: list[str] = []
        words = len(text.split())
        if not MIN_WORDS <= words <= MAX_WORDS:
            found.append(f"length {words} words")
        if text and not re.search(r"[.!?][\"')]?$", text):
            found.append("unfinished sentence")  # a draft cut by the token limit ends mid-sentence
        if FACT_LABEL.search(text):
            found.append(f"fact label {FACT_LABEL.search(text).group(0)!r}")  # "pick 1:" is the prompt's format, not a reply
        if PLACEHOLDER.search(text):
            found.append(f"placeholder {PLACEHOLDER.search(text).group(0)!r}")
        if LINK_OR_CURRENCY.search(text):
            found.append(f"link or foreign currency {LINK_OR_CURRENCY.search(text).group(0)!r}")
        amounts = {_amount(m) for m in MONEY.findall(grounded)} | set(answer.amounts)
        found += [f"amount ${m} not in the facts" for m in MONEY.findall(text) if _amount(m) not in amounts]
        numbers = {n.replace(",", "") for n in NUMBER.findall(grounded)} | {f"{a:.2f}" for a in amounts}
        found += [f"number {n} not in the facts" for n in NUMBER.findall(text) if n.replace(",", "") not in numbers]
        codes = set(CODE.findall(grounded)) | set(answer.codes)
        found += [f"code {c} not in the facts" for c in CODE.findall(text) if any(ch.isdigit() for ch in c) and c not in codes]
        found += [f"date {d} not in the facts" for d in MONTH_DAY.findall(text) if d.lower() not in grounded_low]
        for name in self.product_names:
            if name in low and name not in grounded_low:
                found.append(f"product {name!r} not in the facts")
                break
        composed = answer.text.lower()
        found += [f"names {t!r} more often than the answer" for t in self.titles
                  if low.count(t) > max(1, composed.count(t))]  # "another option is" the same product again
        found += [f"customer data {p!r}" for p in self.people if p in low and p not in grounded_low]
        found += self._wrong_prices(text)
        if PRIVATE.search(text) and not PRIVATE.search(grounded):
            found.append(f"profile word {PRIVATE.search(text).group(0)!r}")
        said = WORD.findall(grounded_low)
        allowed = set(said) | {_stem(w) for w in said}
        novel = [w for w in WORD.findall(low) if w not in PHRASING and w not in allowed and _stem(w) not in allowed]
        if novel:
            found.append(f"words not in the facts: {', '.join(dict.fromkeys(novel[:4]))}")
        for group in answer.required:
            if not any(option.lower() in low for option in group):
                found.append(f"missing {group[0]!r}")
        found += [f"missing {code!r}" for code in ORDER_CODE.findall(answer.text) if code not in text]
        found += [f"false here: {phrase!r}" for phrase in answer.forbidden if phrase.lower() in low]
        return list(dict.fromkeys(found))

    def _wrong_prices(self, text: str) -> list[str]:
        """"Title ($X)" where X is not that title's price: a price carried over to the wrong product."""
        wrong = []
        for match in TITLE_PRICE.finditer(text):
            words = match.group(1).split()
            for i in range(len(words) - 1):
                prices = self.prices.get(" ".join(words[i:]).lower())
                if prices is not None:
                    if _amount(match.group(2)) not in prices:
                        wrong.append(f"price ${match.group(2)} is not the {' '.join(words[i:])}'s")
                    break
        return wrong
