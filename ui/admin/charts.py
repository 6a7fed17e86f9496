"""The dashboard's charts: matplotlib figures rendered server-side to SVG data URIs for <img> tags.

    from ui.admin.charts import render_charts
    charts = render_charts(insights)   # {"activity": "data:image/svg+xml;base64,...", ...}

No pyplot (no global figure state, no GUI backend): each chart is a `Figure` drawn by the SVG
backend with text left as text (`svg.fonttype = none`: smaller files, and the browser draws the
glyphs). Rendering holds a lock because matplotlib is not thread-safe and FastAPI runs sync
routes on a thread pool. An empty series draws a "no data yet" panel instead of failing.
"""

from __future__ import annotations

import base64
import io
import threading

import matplotlib

matplotlib.rcParams["svg.fonttype"] = "none"  # text as <text>, not paths: about 5x smaller
matplotlib.rcParams["svg.hashsalt"] = "shopassist"  # stable ids: identical charts give identical bytes
matplotlib.rcParams["font.size"] = 9

from matplotlib.backends.backend_svg import FigureCanvasSVG  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

_LOCK = threading.Lock()
BLUE, ORANGE, GREEN, RED, GREY = "#3b6ea8", "#e08a2c", "#3f9a5b", "#c4453c", "#9aa5b1"
TIER_COLORS = {"low": GREEN, "medium": ORANGE, "high": RED, "unscored": GREY}


def _figure(width: float = 6.4, height: float = 2.6, *, left: float = 0.08, bottom: float = 0.2) -> tuple[Figure, object]:
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasSVG(fig)
    fig.subplots_adjust(left=left, right=0.97, top=0.95, bottom=bottom)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    return fig, ax


def _uri(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _empty(ax) -> None:
    ax.text(0.5, 0.5, "no data yet", ha="center", va="center", color=GREY, transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def _day_bars(ax, values: list[float], color: str) -> None:
    """One bar per day as a single LineCollection: a year of days costs one artist, not 365 patches."""
    width_pt = ax.get_position().width * ax.figure.get_figwidth() * 72
    ax.vlines(range(len(values)), 0, values, colors=color, linewidth=min(24.0, 0.8 * width_pt / max(1, len(values))))


def _day_ticks(ax, days: list[str]) -> None:
    step = max(1, len(days) // 8)
    ticks = list(range(0, len(days), step))
    ax.set_xticks(ticks, [days[i][5:] for i in ticks])  # MM-DD
    ax.set_xlim(-0.6, len(days) - 0.4)


def activity(insights) -> str:
    fig, ax = _figure()
    days = [d.day for d in insights.daily]
    if not any(d.turns for d in insights.daily):
        _empty(ax)
    else:
        x = range(len(days))
        _day_bars(ax, [d.conversations for d in insights.daily], BLUE)
        ax.plot(x, [d.turns for d in insights.daily], color=ORANGE, linewidth=1.5)
        _day_ticks(ax, days)
        ax.set_ylim(bottom=0)
    return _uri(fig)


def handoff(insights) -> str:
    fig, ax = _figure()
    days = [d.day for d in insights.daily]
    rates = [d.handoff_rate for d in insights.daily]
    if not any(r is not None for r in rates):
        _empty(ax)
    else:
        x = list(range(len(days)))
        ax.plot([i for i, r in zip(x, rates) if r is not None], [100 * r for r in rates if r is not None],
                color=RED, marker="o" if len(days) <= 31 else None, markersize=3, linewidth=1.5)
        overall = insights.totals.handoff_rate
        if overall is not None:
            ax.axhline(100 * overall, color=GREY, linestyle="--", linewidth=1)
            ax.text(0.01, 0.98, f"dashed: overall {100 * overall:.1f} %", transform=ax.transAxes, va="top",
                    color="#52606d", fontsize=8)
        ax.set_ylabel("%")
        ax.set_ylim(bottom=0)
        _day_ticks(ax, days)
    return _uri(fig)


def ratings(insights) -> str:
    fig, ax = _figure()
    days = [d.day for d in insights.daily]
    if not any(d.thumbs_up or d.thumbs_down for d in insights.daily):
        _empty(ax)
    else:
        _day_bars(ax, [d.thumbs_up for d in insights.daily], GREEN)
        _day_bars(ax, [-d.thumbs_down for d in insights.daily], RED)
        ax.axhline(0, color=GREY, linewidth=0.8)
        _day_ticks(ax, days)
    return _uri(fig)


def _hbars(labels: list[str], values: list[float], *, colors=BLUE, notes: list[str] | None = None,
           height: float | None = None, left: float = 0.3) -> str:
    fig, ax = _figure(height=height or max(1.6, 0.6 + 0.24 * len(labels)), left=left, bottom=0.12)
    if not labels or not any(values):
        _empty(ax)
        return _uri(fig)
    y = list(range(len(labels)))[::-1]  # first label on top
    ax.barh(y, values, color=colors, height=0.7)
    ax.set_yticks(y, labels)
    top = max(values)
    for yi, value, note in zip(y, values, notes or [""] * len(values)):
        ax.text(value + top * 0.01, yi, note or f"{value:,.0f}", va="center", fontsize=8)
    ax.set_xlim(0, top * 1.18)
    return _uri(fig)


def intents(insights, top: int = 12) -> str:
    rows = list(insights.intents[:top])
    rest = sum(c.count for c in insights.intents[top:])
    if rest:
        rows.append(type(rows[0])("other", rest))
    total = sum(c.count for c in insights.intents) or 1
    return _hbars([c.label for c in rows], [c.count for c in rows],
                  notes=[f"{c.count:,} ({100 * c.count / total:.0f} %)" for c in rows])


def funnel(insights) -> str:
    steps = insights.funnel
    labels = {"turn": "chatted", "click": "clicked a card", "add_to_cart": "added to cart", "order": "ordered"}
    return _hbars([labels[s.step] for s in steps], [s.sessions for s in steps],
                  colors=[BLUE, BLUE, ORANGE, GREEN][:len(steps)],
                  notes=[f"{s.sessions:,}" + (f" ({100 * s.share:.1f} %)" if s.share is not None else "") for s in steps])


def tiers(insights) -> str:
    fig, ax = _figure(width=6.4, height=2.4, bottom=0.16)
    customers = {c.label: c.count for c in insights.customer_tiers}
    chats = {c.label: c.count for c in insights.conversation_tiers}
    labels = [t for t in TIER_COLORS if customers.get(t) or chats.get(t)]
    if not labels:
        _empty(ax)
        return _uri(fig)
    c_total, s_total = sum(customers.values()) or 1, sum(chats.values()) or 1
    x = range(len(labels))
    ax.bar([i - 0.2 for i in x], [100 * customers.get(t, 0) / c_total for t in labels], width=0.4,
           color=[TIER_COLORS[t] for t in labels], label="customers")
    ax.bar([i + 0.2 for i in x], [100 * chats.get(t, 0) / s_total for t in labels], width=0.4,
           color=[TIER_COLORS[t] for t in labels], alpha=0.45, hatch="//", label="conversations")
    ax.set_xticks(list(x), [f"{t}: {customers.get(t, 0):,} / {chats.get(t, 0):,}" for t in labels])
    return _uri(fig)


def outreach(insights) -> str:
    fig, ax = _figure(height=2.4, bottom=0.16)
    rows = insights.outreach
    if not rows:
        _empty(ax)
        return _uri(fig)
    x = range(len(rows))
    ax.bar([i - 0.2 for i in x], [r.sessions for r in rows], width=0.4, color=BLUE, label="sessions offered")
    ax.bar([i + 0.2 for i in x], [r.sessions_ordered for r in rows], width=0.4, color=GREEN, label="ordered")
    for i, r in zip(x, rows):
        if r.session_conversion is not None:
            ax.text(i + 0.2, r.sessions_ordered, f"{100 * r.session_conversion:.1f} %", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(list(x), [r.offer for r in rows])
    return _uri(fig)


def experiment(summary) -> str:
    """The primary metric's rate per variant with its confidence interval (or exposures alone)."""
    report = summary.report
    if report:
        metric = report.get("metric", summary.metric)
        names, rates, lows, highs = [], [], [], []
        for variant in report.get("variants", []):
            m = (variant.get("metrics") or {}).get(metric) or {}
            if m.get("rate") is None:
                continue
            names.append(f"{variant['name']} (n={variant.get('sessions', 0):,})")
            rates.append(100 * m["rate"])
            lo, hi = m.get("ci") or (m["rate"], m["rate"])
            lows.append(100 * (m["rate"] - lo))
            highs.append(100 * (hi - m["rate"]))
        fig, ax = _figure(height=max(1.6, 0.7 + 0.35 * len(names)), left=0.3, bottom=0.18)
        if not names:
            _empty(ax)
            return _uri(fig)
        y = list(range(len(names)))[::-1]
        ax.barh(y, rates, xerr=[lows, highs], color=[GREY] + [BLUE] * (len(names) - 1), height=0.6,
                error_kw={"ecolor": "#333", "capsize": 3, "linewidth": 1})
        ax.set_yticks(y, names)
        ax.set_xlim(left=0)
        return _uri(fig)
    return _hbars([c.label for c in summary.exposures],
                  [c.count for c in summary.exposures])


def render_charts(insights) -> dict[str, str]:
    """Every chart of the page as a data URI, keyed by name (experiments: "experiment:<name>")."""
    with _LOCK:
        charts = {"activity": activity(insights), "handoff": handoff(insights), "intents": intents(insights),
                  "funnel": funnel(insights), "tiers": tiers(insights), "outreach": outreach(insights),
                  "ratings": ratings(insights)}
        for summary in insights.experiments:
            charts[f"experiment:{summary.name}"] = experiment(summary)
    return charts
