"""Handing off after repeated failures (a person asked for, or money trouble, is a command: see the turn tests)."""

from assistant.handoff import handoff_reason


def test_two_failed_turns_in_a_row_hand_off():
    assert handoff_reason(failed=True, failures_before=1, after_failures=2) == "2 failed turns in a row"
    assert handoff_reason(failed=True, failures_before=0, after_failures=2) is None
    assert handoff_reason(failed=False, failures_before=5, after_failures=2) is None
