"""A server that works on as many turns as it takes refuses the next with a wait, and takes it again later."""

from __future__ import annotations

import pytest

from assistant.admission import Admission
from data.errors import Overloaded


def test_one_turn_over_the_limit_is_refused_with_a_retry_after_and_counted():
    refused = []
    admission = Admission(1, refused=lambda: refused.append(1))
    with admission.slot():
        with pytest.raises(Overloaded) as raised:
            with admission.slot():
                pass
        assert raised.value.status_code == 503 and raised.value.retry_after >= 1
    assert refused == [1]
    with admission.slot():  # the first turn ended: room again
        assert admission.in_flight == 1
    assert admission.in_flight == 0
