"""Proactive retention: who is most likely to leave, what is at stake, and a grounded message each.

    shopassist retention report --top 20 --out retention/      # retention.csv + retention.html

Every outreach message is built from facts only: products from the catalog that are in stock
and in the customer's favourite categories, and one gesture the store rules allow
(policies/retention_offers.md). No language model writes it, so nothing can be invented.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.customers.profile import ProfileBook
from assistant.types import CustomerView

CODE_OFFER = "10 % off the next order with code WELCOME10"
SHIPPING_OFFER = "free express shipping on the next order"


@dataclass(frozen=True)
class Outreach:
    customer_id: str
    segment: str
    churn_risk: float
    churn_tier: str
    value_at_stake: float  # expected 12-month spend at the customer's own pace x risk of losing it
    clv_12m: float | None
    reasons: str
    products: str  # product ids suggested, "|"-separated
    offer: str
    message: str


def value_at_stake(view: CustomerView) -> float:
    """What leaving would cost: a year at the customer's past pace, weighted by the risk."""
    if not view.orders or view.avg_order_value is None or view.churn_risk is None:
        return 0.0
    per_year = view.orders * 365 / max(view.tenure_days or 0, 90)
    return round(view.churn_risk * view.avg_order_value * max(per_year, 1.0), 2)


def choose_offer(view: CustomerView, policy: str) -> str:
    """One gesture the store rules allow: the code for lapsed or big spenders, else free shipping."""
    allowed = [o for o, marker in ((CODE_OFFER, "WELCOME10"), (SHIPPING_OFFER, "free express shipping")) if marker in policy]
    if not allowed:
        return ""
    wants_code = view.segment == "lapsed" or (view.avg_order_value or 0) >= 100
    return allowed[0] if wants_code or len(allowed) == 1 else allowed[1]


def outreach_message(view: CustomerView, offer: str) -> str:
    opening = ("We have missed you! It has been a while since your last order." if view.segment == "lapsed"
               else "Thank you for shopping with us.")
    lines = [f"Hello! {opening}"]
    if view.picks:
        liked = ", ".join(view.top_categories[:2]) or "our best sellers"
        items = "; ".join(f"{p.title} (${p.price:.2f})" for p in view.picks if p.price is not None)
        lines.append(f"Because you like {liked}, we picked these for you, all in stock: {items}.")
    if offer:
        lines.append(f"As a thank-you, enjoy {offer}.")
    return " ".join(lines)


def plan_outreach(book: ProfileBook, policies: dict[str, str], *, top: int = 20, sort: str = "risk") -> list[Outreach]:
    """The `top` customers most at risk (or with the most value at stake), high tier first."""
    policy = policies.get("retention_offers", "")
    views = [book.view(c) for c in book.customers]
    views = [v for v in views if v.churn_risk is not None and v.churn_tier in {"high", "medium"}]
    key = (lambda v: (v.churn_tier == "high", v.churn_risk)) if sort == "risk" else (lambda v: value_at_stake(v))
    rows = []
    for view in sorted(views, key=key, reverse=True)[:top]:
        offer = choose_offer(view, policy)
        rows.append(Outreach(
            customer_id=view.user_id, segment=view.segment, churn_risk=view.churn_risk, churn_tier=view.churn_tier,
            value_at_stake=value_at_stake(view), clv_12m=view.clv_12m, reasons="; ".join(view.reasons),
            products="|".join(p.id for p in view.picks), offer=offer, message=outreach_message(view, offer)))
    return rows


def _chart(draw) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3))
    draw(ax)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def write_report(rows: list[Outreach], book: ProfileBook, folder: Path) -> tuple[Path, Path]:
    """retention.csv (one row per customer) and retention.html (table + two charts, self-contained)."""
    folder.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = folder / "retention.csv", folder / "retention.html"
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(Outreach.__dataclass_fields__))
        writer.writeheader()
        writer.writerows(asdict(r) for r in rows)
    risks = [s[0] for s in book.scores.values()]
    histogram = _chart(lambda ax: (ax.hist(risks, bins=20, color="#4c72b0"),
                                   ax.set(xlabel="churn risk", ylabel="customers", title="Churn risk, all customers")))
    at_stake = {}
    for r in rows:
        at_stake[r.segment] = at_stake.get(r.segment, 0.0) + r.value_at_stake
    bars = _chart(lambda ax: (ax.bar(list(at_stake), list(at_stake.values()), color="#dd8452"),
                              ax.set(ylabel="$ at stake", title="Value at stake in this list, by segment")))
    head = "".join(f"<th>{html.escape(name)}</th>" for name in ("customer", "segment", "risk", "tier", "$ at stake", "reasons", "offer", "message"))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in (r.customer_id, r.segment, f"{r.churn_risk:.2f}", r.churn_tier,
                                                                     f"{r.value_at_stake:.2f}", r.reasons, r.offer, r.message)) + "</tr>"
        for r in rows)
    html_path.write_text(
        "<!doctype html><meta charset='utf-8'><title>Retention report</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
        "table{border-collapse:collapse;font-size:13px}</style>"
        f"<h1>Customers most at risk</h1><p>{len(rows)} customers, store date {book.as_of}.</p>"
        f"<img alt='risk histogram' src='data:image/png;base64,{histogram}'> <img alt='value at stake' src='data:image/png;base64,{bars}'>"
        f"<table><tr>{head}</tr>{body}</table>", encoding="utf-8")
    return csv_path, html_path
