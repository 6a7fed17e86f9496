"""kill -9 during a streamed reply: every acknowledged message is still there after a restart."""

from __future__ import annotations

import json
import os
import sys

import pytest

from benchmarks.serve_faults import crash_and_count, free_port
from tests.conftest import TINY_CATALOG


@pytest.mark.e2e
def test_kill_9_loses_no_acknowledged_message(tmp_path):
    catalog = tmp_path / "catalog.jsonl"
    catalog.write_text("".join(json.dumps(r) + "\n" for r in TINY_CATALOG))
    port = free_port()
    command = [sys.executable, "-m", "tests.ui.fake_server", "--port", str(port), "--catalog", str(catalog),
               "--token-delay", "0.05"]
    result = crash_and_count(command, port=port, env=dict(os.environ, SHOPASSIST_HOME=str(tmp_path / "home")), turns=3)
    assert result["acknowledged"] == 7  # 3 questions + 3 replies + the question cut off mid-reply
    assert result["found_after_restart"] == 7 and result["lost"] == 0
