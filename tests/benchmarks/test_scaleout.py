"""Two replicas on one PostgreSQL and one Chroma server (benchmarks/scaleout.py, slow fake generator):
what one replica records, the other sees; kill -9 of one loses and doubles no acknowledged message."""

from __future__ import annotations

import asyncio

import pytest

from benchmarks.servers import available

pytestmark = [pytest.mark.e2e,  # PostgreSQL, `chroma run` and two servers in their own processes
              pytest.mark.skipif(any(available().values()), reason=str(available()))]


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    """One deployment for the module (starting two replicas and indexing the catalog costs over a minute)."""
    from benchmarks.scaleout import deployment

    work = tmp_path_factory.mktemp("scaleout")
    with deployment(work / "run", replicas=2, shared=True, fake=True, prepared=work / "prepared") as running:
        yield running


def started(deployment):
    """The deployment with every replica up again (the kill test leaves A dead)."""
    for replica in deployment.replicas:
        if not replica.alive():
            replica.start()
    return deployment


def test_an_event_a_cancellation_and_a_session_on_one_replica_are_seen_on_the_other(replicas):
    from benchmarks.scaleout import consistency_run

    result = asyncio.run(consistency_run(started(replicas), trials=5, seed=3))
    assert result["trials"] == 5 and result["share"] == 1.0  # every order posted to A shows on B's profile within 1 s
    assert result["cancel_once"], result["cancel"]  # cancelled on A, cancelled on B, "already" on B, one action row
    assert result["session_continues"], result["session"]  # B's "which one is cheapest?" picks among A's cards


def test_kill_9_of_one_replica_mid_stream_loses_and_doubles_no_acknowledged_message(replicas):
    from benchmarks.scaleout_faults import kill_run

    result = asyncio.run(kill_run(started(replicas), shoppers=6, turns=3, kill_after=1 / 3))
    assert result["streams_open_at_kill"] >= 1 and result["failovers"] >= 1  # the kill cut replies on A
    assert result["acknowledged"] == 18  # every turn acknowledged, on A or after failing over to B
    assert result["acknowledged_lost"] == 0 and result["acknowledged_ids_missing"] == 0
    assert result["duplicated"] == 0, result["duplicated_sessions"]
    assert result["replies_duplicated"] == 0
    assert result["sessions_completed"] == 6, result["error_kinds"]
