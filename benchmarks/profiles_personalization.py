"""Personalization effect on the demo store: share of top-5 results in the customer's affinity categories.

    .venv/bin/python -m benchmarks.profiles_personalization      # JSON last line

For every demo customer with a clear affinity (their top category holds at least half of their
decayed purchase weight), each open-ended query below is searched twice with the real retriever
(retrieval/search.py): unpersonalized (view=None) and with the customer's CustomerView. We report
the share of top-5 products whose category is one of the customer's top categories, both ways.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from assistant.customers.profile import load_profile_book
from assistant.deps import product_search
from assistant.settings import Settings
from data import DEMO_DIR

QUERIES = (
    "gift ideas under $100", "something for the weekend", "best rated products", "what would you recommend for travel",
    "something durable for everyday use", "new arrivals for winter", "a present for a friend", "lightweight and compact",
)


def clear_affinity(book, user_id: str) -> bool:
    weights = book.states[user_id].categories
    total = sum(w for w in weights.values() if w > 0)
    return bool(total) and weights.most_common(1)[0][1] / total >= 0.5


def main() -> None:
    with tempfile.TemporaryDirectory() as home:
        retriever = product_search(Settings(home=Path(home)))
        book = load_profile_book(DEMO_DIR, retriever.catalog)
        users = [c for c in sorted(book.customers) if clear_affinity(book, c)]
        plain = personal = total = 0
        changed = 0
        for user in users:
            view = book.view(user)
            for query in QUERIES:
                base = retriever.search(query, 5)
                mine = retriever.search(query, 5, view=view)
                plain += sum(h.product.category in view.top_categories for h in base)
                personal += sum(h.product.category in view.top_categories for h in mine)
                total += len(mine)
                changed += [h.product.id for h in base] != [h.product.id for h in mine]
    print(json.dumps({"customers": len(users), "queries": len(QUERIES), "results": total,
                      "share_top5_in_affinity_unpersonalized": round(plain / total, 4),
                      "share_top5_in_affinity_personalized": round(personal / total, 4),
                      "rankings_changed": round(changed / (len(users) * len(QUERIES)), 4)}))


if __name__ == "__main__":
    main()
