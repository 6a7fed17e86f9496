"""The check a model-written draft must pass before a shopper sees it.

A draft passes when it says every required fact of its `Answer` and nothing the facts do not hold:
no placeholder, link or foreign currency; no dollar amount, number, date, code, product title or
customer name that is not in the facts (or the shopper's own words); nothing the facts make false
("has been cancelled" when nothing was); nothing about the customer's profile (scores, segments).

    problems = DraftCheck(catalog_titles, people).problems(draft, answer, message)   # [] = send it
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.reply.answer import Answer

PLACEHOLDER = re.compile(r"\[[^\]\n]{1,40}\]|\{\{?[^}]*\}\}?|<[A-Za-z_ ]{3,}>|\b[a-z]+_[a-z_]+\b|\b[a-z]+\(\)")
LINK_OR_CURRENCY = re.compile(r"https?://|www\.|\b[\w-]+\.(?:com|net|org|co\.uk|io)\b|[£€¥₹]|\b(?:GBP|EUR|pounds?|euros?)\b", re.I)
MONEY = re.compile(r"\$\s?(\d[\d,]*(?:\.\d{1,2})?)")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
CODE = re.compile(r"\b[A-Z][A-Z0-9-]{3,}\b")
MONTH_DAY = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\s+\d{1,2}\b")
PRIVATE = re.compile(r"\b(?:churn|segment|at[- ]risk|lapsed|risk (?:score|tier)|clv|lifetime value|vip)\b", re.I)
MIN_WORDS, MAX_WORDS = 2, 120


def _amount(raw: str) -> float:
    return round(float(raw.replace(",", "")), 2)


class DraftCheck:
    def __init__(self, titles: Iterable[str], people: Iterable[str]) -> None:
        names = set()
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
        found += [f"customer data {p!r}" for p in self.people if p in low and p not in grounded_low]
        if PRIVATE.search(text) and not PRIVATE.search(grounded):
            found.append(f"profile word {PRIVATE.search(text).group(0)!r}")
        for group in answer.required:
            if not any(option.lower() in low for option in group):
                found.append(f"missing {group[0]!r}")
        found += [f"false here: {phrase!r}" for phrase in answer.forbidden if phrase.lower() in low]
        return list(dict.fromkeys(found))
