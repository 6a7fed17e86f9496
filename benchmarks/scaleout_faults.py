"""Faults of a scaled-out deployment: kill -9 of one replica mid-stream, a PostgreSQL restart under traffic.

    .venv/bin/python -m benchmarks.scaleout kill          # part_kill
    .venv/bin/python -m benchmarks.scaleout pg-restart    # part_pg_restart

Both run two replicas on one PostgreSQL and one Chroma server (benchmarks/scaleout.py `deployment`), read
the database directly at the end, and count from the client's side what each request got.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx

from benchmarks.scaleout import Deployment, deployment, read_rows, say, table, turn
from benchmarks.serve_load import QUESTIONS

FAILOVER_ERRORS = ("refused", "broken", "timeout", "no final chunk")  # the replica is gone, not busy


# -- kill -9 ------------------------------------------------------------------------------------------
async def kill_run(d: Deployment, shoppers: int, turns: int, kill_after: float) -> dict:
    """Each shopper pinned to a replica (round-robin) with its own session id; after `kill_after` of the turns
    replica A gets kill -9; a shopper whose stream breaks or whose replica refuses resends to B."""
    a, b = d.replicas
    state = {"done": 0, "open_on_a": 0, "open_at_kill": None, "failovers": 0, "resent": 0, "after_failover": 0}
    acked: dict[tuple[str, str], list[tuple[str, int]]] = {}  # (session, text) -> [(replica, message id)]
    errors: list[str] = []
    completed = 0

    def kill_a() -> None:
        state["open_at_kill"] = state["open_on_a"]
        a.kill()
        say(f"kill -9 replica A after {state['done']} of {shoppers * turns} turns, "
            f"{state['open_on_a']} of its replies streaming")

    async def shopper(client: httpx.AsyncClient, number: int) -> None:
        nonlocal completed
        user, session = f"C{number + 1:04d}", uuid.uuid4().hex  # a client-chosen session id
        replica, answered, moved = d.replicas[number % 2], 0, False
        for t in range(turns):
            text = QUESTIONS[(number * 5 + t) % len(QUESTIONS)]  # 5 consecutive of 12: distinct within the session
            for _attempt in range(5):
                on_a = replica is a
                state["open_on_a"] += on_a
                got = await turn(client, replica.base, user, text, session, read_timeout=120, key=f"{session}-{t}")
                state["open_on_a"] -= on_a
                if got["acked"]:
                    acked.setdefault((session, text), []).append((replica.name, got["message_id"]))
                if got["answered"]:
                    answered += 1
                    state["after_failover"] += moved
                    break
                errors.append(f"{replica.name}: {got['error']}")
                if replica is a and got["error"] in FAILOVER_ERRORS:  # A is gone: the same message, same session, to B
                    replica, moved = b, True
                    state["failovers"] += 1
                    state["resent"] += 1
                    continue
                state["resent"] += 1
                await asyncio.sleep(0.5)  # busy or failing: the same replica again
            state["done"] += 1
            if state["open_at_kill"] is None and state["done"] >= kill_after * shoppers * turns:
                kill_a()
        completed += answered == turns

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=shoppers + 5)) as client:
        await asyncio.gather(*(shopper(client, i) for i in range(shoppers)))
    rows = read_rows(d.pg.url, "SELECT id, session_id, role, content FROM messages")
    stored = Counter((r.session_id, r.content) for r in rows if r.role == "user")
    ids = {r.id for r in rows}
    lost = [key for key in acked if stored[key] == 0]
    lost_ids = [mid for seen in acked.values() for _, mid in seen if mid not in ids]
    twice = [key for key, n in stored.items() if n > 1]
    examples = [[(r.role, r.content[:40]) for r in sorted(rows, key=lambda r: r.id) if r.session_id == key[0]] for key in twice[:2]]
    retried = [seen for seen in acked.values() if len({name for name, _ in seen}) > 1]  # acked on A, resent to B
    roles = Counter((r.session_id, r.role) for r in rows)
    replies_twice = sum(max(0, roles[(s, "assistant")] - roles[(s, "user")]) for s in {s for s, _ in roles})  # answered twice
    return {"sessions": shoppers, "turns": turns, "acknowledged": len(acked), "acknowledged_lost": len(lost),
            "acknowledged_ids_missing": len(lost_ids), "duplicated": sum(n - 1 for n in stored.values() if n > 1),
            "replies_duplicated": replies_twice,
            "failovers": state["failovers"], "resent": state["resent"], "turns_after_failover": state["after_failover"],
            "resent_acked_twice": len(retried), "resent_same_message": sum(len({m for _, m in s}) == 1 for s in retried),
            "streams_open_at_kill": state["open_at_kill"], "sessions_completed": completed,
            "errors": len(errors), "error_kinds": dict(Counter(e for e in errors)), "lost_examples": lost[:3],
            "duplicated_sessions": examples}


def part_kill(args, work: Path) -> dict:
    with deployment(work, replicas=2, shared=True, fake=args.fake, prepared=args.prepared) as d:
        result = asyncio.run(kill_run(d, args.shoppers, args.turns, args.kill_after))
    table(f"kill -9 of replica A: {args.shoppers} shoppers x {args.turns} turns", {"A killed, B serves": result})
    return result


# -- PostgreSQL restart ---------------------------------------------------------------------------------
def is_503(got: dict) -> bool:
    """The failure a client can act on: 503 with Retry-After before the stream, or a 503 error event in it."""
    return (got["error"] == "HTTP 503" and got["retry_after"] is not None) or got["error"] == "event 503"


async def pg_restart_run(d: Deployment, shoppers: int, before_s: float, after_s: float, down_s: float) -> dict:
    a, b = d.replicas
    done: list[dict] = []
    stop = asyncio.Event()

    async def shopper(client: httpx.AsyncClient, number: int) -> None:
        replica, session, user, t = d.replicas[number % 2], uuid.uuid4().hex, f"C{number + 1:04d}", 0
        while not stop.is_set():
            text = f"{QUESTIONS[(number * 5 + t) % len(QUESTIONS)]} (turn {t + 1})"
            got = await turn(client, replica.base, user, text, session, read_timeout=30)  # longer = a hang
            done.append(got | {"replica": replica.name})
            if got["answered"]:
                t += 1
            else:
                await asyncio.sleep(0.3)

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=shoppers + 5)) as client:
        tasks = [asyncio.create_task(shopper(client, i)) for i in range(shoppers)]
        await asyncio.sleep(before_s)
        before = {r.id for r in await asyncio.to_thread(read_rows, d.pg.url, "SELECT id FROM messages")}
        say(f"restarting PostgreSQL ({len(before)} messages stored, {len(done)} requests so far), down {down_s} s")
        down = time.monotonic()
        await asyncio.to_thread(d.pg.restart, down_s)
        back = time.monotonic()
        say(f"PostgreSQL back after {back - down:.1f} s; {after_s} s more traffic")
        await asyncio.sleep(after_s)
        stop.set()
        await asyncio.gather(*tasks)
    after = {r.id for r in read_rows(d.pg.url, "SELECT id FROM messages")}
    failed = [g for g in done if not g["answered"]]
    recover, acked = {}, {}  # PostgreSQL back -> first answered turn (its whole time included), first stored message
    for replica in (a, b):
        ok = [g for g in done if g["answered"] and g["replica"] == replica.name and g["sent"] >= down]
        recover[replica.name] = round(max(0.0, min(g["done"] for g in ok) - back), 2) if ok else None
        acked[replica.name] = round(max(0.0, min(g["acked_at"] for g in ok) - back), 2) if ok else None
    other = [g for g in failed if not is_503(g)]
    return {"shoppers": shoppers, "requests": len(done), "requests_failed": len(failed),
            "failed_with_503": len(failed) - len(other), "failed_otherwise": dict(Counter(g["error"] for g in other)),
            "other_examples": [g.get("detail") for g in other[:3]],
            "failed_before_down": sum(g["sent"] < down for g in failed),
            "failed_after_back": sum(g["sent"] >= back for g in failed), "pg_down_s": round(back - down, 1),
            "recover_s": max((v for v in recover.values() if v is not None), default=None), "recover_s_by_replica": recover,
            "first_ack_s_by_replica": acked,
            "rows_before": len(before), "rows_lost": len(before - after)}


def part_pg_restart(args, work: Path) -> dict:
    with deployment(work, replicas=2, shared=True, fake=args.fake, prepared=args.prepared) as d:
        result = asyncio.run(pg_restart_run(d, args.shoppers, args.before_s, args.after_s, args.down_s))
    table(f"PostgreSQL restart under {args.shoppers} streaming shoppers", {"2 replicas": result})
    return result
