"""Prometheus metrics, one registry per app (so tests can build many apps in one process)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Metrics:
    registry: object
    requests: object
    turns: object
    first_token: object
    turn_seconds: object
    stage_seconds: object
    handoffs: object
    blocked: object
    rate_limited: object
    drafts: object
    overloaded: object
    understood: object
    understanding_retries: object

    def render(self) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def build_metrics() -> Metrics:
    from prometheus_client import CollectorRegistry, Counter, Histogram

    registry = CollectorRegistry()
    buckets = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60, 120)
    return Metrics(
        registry=registry,
        requests=Counter("shopassist_http_requests", "HTTP requests by route and status", ["route", "status"], registry=registry),
        turns=Counter("shopassist_turns", "Chat turns by intent and front end", ["intent", "channel"], registry=registry),
        first_token=Histogram("shopassist_first_token_seconds", "Time from request to first streamed token", buckets=buckets, registry=registry),
        turn_seconds=Histogram("shopassist_turn_seconds", "Time for a whole turn", buckets=buckets, registry=registry),
        stage_seconds=Histogram("shopassist_turn_stage_seconds", "Time of each stage of a turn (see assistant.turn.STAGES)",
                                ["stage"], buckets=(0.001, 0.005, 0.02, *buckets), registry=registry),
        handoffs=Counter("shopassist_handoffs", "Turns handed to a human agent, by reason", ["reason"], registry=registry),
        blocked=Counter("shopassist_blocked_replies", "Replies replaced by the safety screen, by reason", ["reason"], registry=registry),
        rate_limited=Counter("shopassist_rate_limited", "Requests refused with 429", registry=registry),
        overloaded=Counter("shopassist_overloaded", "Turns refused with 503: as many turns as allowed were in flight",
                           registry=registry),
        drafts=Counter("shopassist_reply_drafts", "Model-written drafts: sent; replaced (refused by the check); skipped (predicted past "
                       "the first-token budget) or late (cut at it), when the composed reply goes out instead",
                       ["outcome"], registry=registry),
        understood=Counter("shopassist_understood", "Turns understood, by who read them: safety (the fast path), head, model, "
                           "fallback (nothing sound after a retry: the shopper was asked)", ["source"], registry=registry),
        understanding_retries=Counter("shopassist_understanding_retries", "Turns whose first reading did not check out "
                                      "against the store and were read again", registry=registry),
    )
