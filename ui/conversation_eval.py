"""Scripted shopper conversations as a store's regression test: run them, check every reply.

    shopassist evaluate conversations --cases benchmarks/cases/demo_conversations.jsonl
    shopassist evaluate conversations --cases my_cases.jsonl --url http://127.0.0.1:7860/v1 --key KEY --out results.jsonl

Each turn goes through the real `/v1/chat/completions` path (in-process or over HTTP) with the
whole history and the previous reply's session id; `ui/conversation_checks.py` holds the case format
and the checks.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from data.errors import ShopAssistError, TurnError
from ui.conversation_checks import Case, Context, Store, check_expect, check_universal, load_cases, load_store

Sender = Callable[[list[dict], str | None, str | None], tuple[str, dict]]  # (messages, user, session_id) -> (reply, extras)


@dataclass(frozen=True)
class TurnResult:
    say: str
    reply: str
    extras: dict
    latency_s: float | None  # None when the turn got no reply
    universal: tuple[str, ...] = ()
    expected: tuple[str, ...] = ()

    @property
    def reasons(self) -> tuple[str, ...]:
        return self.universal + self.expected


@dataclass(frozen=True)
class CaseResult:
    case: Case
    turns: tuple[TurnResult, ...]

    @property
    def passed(self) -> bool:
        return not any(t.reasons for t in self.turns)

    def line(self) -> str:
        """One line: PASS/FAIL, the id, then each turn with "ok" or its short reasons."""
        turns = [f'"{t.say[:60]}" ' + ("; ".join(r[:100] for r in t.reasons) or "ok") for t in self.turns]
        return " | ".join([f"{'PASS' if self.passed else 'FAIL'} {self.case.id}", *turns])


@dataclass(frozen=True)
class Report:
    results: tuple[CaseResult, ...]

    def summary(self) -> dict:
        import numpy as np

        turns = [t for r in self.results for t in r.turns]
        latencies = [t.latency_s for t in turns if t.latency_s is not None]
        categories: dict[str, list[int]] = {}
        for result in self.results:
            counts = categories.setdefault(result.case.category, [0, 0])
            counts[0] += result.passed
            counts[1] += 1
        percentile = (lambda q: round(float(np.percentile(latencies, q)), 3)) if latencies else (lambda q: None)
        return {"cases": len(self.results),
                "task_success": round(sum(r.passed for r in self.results) / max(1, len(self.results)), 4),
                "turn_success": round(sum(not t.reasons for t in turns) / max(1, len(turns)), 4),
                "by_category": {c: f"{p}/{n}" for c, (p, n) in sorted(categories.items())},
                "latency_s_p50": percentile(50), "latency_s_p95": percentile(95),
                "universal_failures": sum(1 for t in turns if t.universal)}

    def save(self, path: Path) -> None:
        """One JSON object per case: every turn's reply, extras, latency and reasons."""
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = ({"id": r.case.id, "category": r.case.category, "user": r.case.user, "passed": r.passed,
                 "turns": [{"say": t.say, "reply": t.reply, "reasons": list(t.reasons), "latency_s": t.latency_s,
                            "shopassist": t.extras} for t in r.turns]} for r in self.results)
        path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def _run_case(case: Case, send: Sender, store: Store) -> CaseResult:
    messages: list[dict] = []
    shown: list[tuple[dict, ...]] = []
    session, results = None, []
    for index, turn in enumerate(case.turns):
        messages.append({"role": "user", "content": turn.say})
        context = Context(user=case.user, said=tuple(t.say for t in case.turns[: index + 1]), earlier=tuple(shown))
        start = time.perf_counter()
        try:
            text, extras = send(list(messages), case.user, session)
        except TurnError as exc:  # later turns build on this one: none of them can run
            results.append(TurnResult(turn.say, "", {}, None, expected=(f"error: {exc.message}",)))
            results += [TurnResult(t.say, "", {}, None, expected=("not run: an earlier turn failed",)) for t in case.turns[index + 1:]]
            break
        latency = time.perf_counter() - start
        products = tuple(extras.get("products") or ())
        results.append(TurnResult(turn.say, text, extras, latency, tuple(check_universal(text, products, store, context)),
                                  tuple(check_expect(turn.expect, text, extras, store, context))))
        messages.append({"role": "assistant", "content": text})
        shown.append(products)
        session = extras.get("session_id") or session
    return CaseResult(case, tuple(results))


def run_cases(cases: list[Case], send: Sender, store: Store, *, progress: Callable[[CaseResult], None] | None = None) -> Report:
    """Run each case as one conversation through `send`; `progress` sees each result as it lands."""
    results = []
    for case in cases:
        results.append(result := _run_case(case, send, store))
        if progress:
            progress(result)
    return Report(tuple(results))


def _chat_sender(client, key: str | None) -> Sender:
    """POST chat/completions on an httpx-style client whose base URL ends in /v1."""
    import httpx

    headers = {"Authorization": f"Bearer {key}"} if key else {}

    def send(messages: list[dict], user: str | None, session_id: str | None) -> tuple[str, dict]:
        body: dict = {"model": "shopassist", "messages": messages}
        if user:
            body["user"] = user
        if session_id:
            body["shopassist"] = {"session_id": session_id}
        try:
            response = client.post("chat/completions", json=body, headers=headers)
        except httpx.TransportError as exc:
            raise ShopAssistError(f"cannot reach {client.base_url}: {exc}", hint="start it with `shopassist serve` or fix --url") from exc
        if response.status_code in (401, 403):
            raise ShopAssistError(f"{client.base_url} refused the API key ({response.status_code})", hint="pass --key")
        try:
            data = response.json()
        except ValueError:
            raise TurnError(f"HTTP {response.status_code}, not JSON: {response.text[:80]!r}") from None
        if response.status_code != 200:
            raise TurnError(f"HTTP {response.status_code}: {(data.get('error') or {}).get('message', data)}")
        return data["choices"][0]["message"]["content"], data.get("shopassist") or {}

    return send


@contextmanager
def http_sender(url: str, key: str | None = None) -> Iterator[Sender]:
    """A running server, e.g. http://127.0.0.1:7860/v1 (a real model can take minutes per reply)."""
    import httpx

    with httpx.Client(base_url=url.rstrip("/") + "/", timeout=600) as client:
        yield _chat_sender(client, key)


@contextmanager
def in_process_sender(settings, app=None) -> Iterator[Sender]:
    """The real app (or `app`) through TestClient: the same HTTP path, no socket."""
    from fastapi.testclient import TestClient

    from ui.app import create_app

    # The store's own test run is no caller to throttle: the per-minute limit guards a public server.
    unthrottled = settings.model_copy(update={"serve": settings.serve.model_copy(update={"rate_limit_per_minute": 0})})
    with TestClient(app or create_app(unthrottled), base_url="http://testserver/v1/", raise_server_exceptions=False) as client:
        yield _chat_sender(client, (settings.serve.api_keys or [None])[0])


def evaluate_conversations(settings, cases_path: Path, *, url: str | None = None, key: str | None = None,
                           out: Path | None = None, progress: Callable[[CaseResult], None] | None = None) -> dict:
    """Load and check the cases, run them (over HTTP with `url`, else in-process), return the summary."""
    cases = load_cases(cases_path)
    store = load_store(settings.store_dir, catalog=settings.retrieval.catalog)
    with (http_sender(url, key) if url else in_process_sender(settings)) as send:
        report = run_cases(cases, send, store, progress=progress)
    if out:
        report.save(Path(out))
    return report.summary()
