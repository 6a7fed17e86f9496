"""The draft is written only when it can be done by the first-token deadline; the composed reply goes out otherwise."""

from __future__ import annotations

import threading
import time

from assistant.reply.answer import Answer
from assistant.reply.check import DraftCheck
from assistant.reply.writer import DraftPace, ReplyWriter

ANSWER = Answer(kind="policy", text="Returns are free within 30 days.", facts=("Returns are free within 30 days.",))


class TimedGenerator:
    """Writes its tokens `delay` seconds apart; remembers whether the reader closed it early."""

    def __init__(self, tokens=("Returns are free ", "within 30 days."), delay=0.0, fail=False) -> None:
        self.tokens, self.delay, self.fail = tokens, delay, fail
        self.calls, self.closed_early = 0, threading.Event()

    def stream(self, prompt):
        self.calls += 1
        if self.fail:
            raise RuntimeError("engine died")
        done = False
        try:
            for token in self.tokens:
                time.sleep(self.delay)
                yield token
            done = True
        finally:
            if not done:
                self.closed_early.set()


def writer(generator, budget_s=1.0) -> ReplyWriter:
    return ReplyWriter(generator, DraftCheck([], []), budget_s=budget_s)


def test_a_draft_done_in_time_is_sent_with_its_prefill_and_decode_times():
    written = writer(TimedGenerator(delay=0.01)).write(ANSWER, "how do returns work?")
    assert written.drafted and written.text == "Returns are free within 30 days."
    assert written.timings["prefill_s"] > 0 and written.timings["decode_s"] > 0


def test_a_late_draft_is_dropped_at_the_deadline_and_the_composed_reply_goes_out():
    generator = TimedGenerator(tokens=("Returns ",) * 50, delay=0.05)
    started = time.perf_counter()
    written = writer(generator, budget_s=0.3).write(ANSWER, "how do returns work?")
    assert time.perf_counter() - started < 0.6
    assert not written.drafted and written.text == ANSWER.text and "not in time" in written.problems[0]
    assert generator.closed_early.wait(1.0)  # the model stops writing what nobody will read


def test_once_drafts_run_late_the_next_one_is_not_started():
    slow = writer(TimedGenerator(tokens=("Returns ",) * 50, delay=0.05), budget_s=0.3)
    slow.write(ANSWER, "how do returns work?")
    written = slow.write(ANSWER, "and exchanges?")
    assert not written.drafted and written.problems == ("not written: the model is busy",)
    assert slow.generator.calls == 1


def test_a_failing_model_costs_the_shopper_nothing():
    written = writer(TimedGenerator(fail=True)).write(ANSWER, "how do returns work?")
    assert not written.drafted and written.text == ANSWER.text and "draft failed" in written.problems[0]


def test_the_pace_scales_with_the_drafts_running_beside():
    pace = DraftPace()
    assert pace.predict(100) is None and pace.worth_a_try(100, 0.5)  # nothing known: try
    pace.finish(1.0, 100, pace.start(), completed=True)  # 0.01 s per character alone
    assert abs(pace.predict(100) - 1.0) < 1e-9
    pace.start()
    assert abs(pace.predict(100) - 2.0) < 1e-9  # one more draft running: twice as long
    assert not pace.worth_a_try(100, 1.5)


def test_a_warm_up_draft_teaches_the_pace_before_any_shopper_waits():
    slow = writer(TimedGenerator(tokens=("Returns ",) * 10, delay=0.05), budget_s=0.2)
    slow.warm_up(ANSWER, "how do returns work?")
    written = slow.write(ANSWER, "how do returns work?")
    assert written.problems == ("not written: the model is busy",) and slow.generator.calls == 1


def test_a_model_judged_slow_is_measured_again_in_the_background_not_on_a_shopper(monkeypatch):
    import assistant.reply.writer as writer_module

    fast = TimedGenerator(delay=0.0)
    quick = writer(fast, budget_s=0.5)
    quick.pace.per_char = 1.0  # judged far too slow earlier
    monkeypatch.setattr(writer_module, "RETRY_IDLE_S", 0.0)
    written = quick.write(ANSWER, "how do returns work?")
    assert written.problems == ("not written: the model is busy",)  # this shopper does not wait for the measurement
    deadline = time.monotonic() + 5
    while quick.pace.per_char == 1.0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fast.calls == 1 and quick.pace.per_char < 1.0
    assert quick.write(ANSWER, "how do returns work?").drafted  # fast again: the next shopper gets the draft


def test_no_pace_measurement_while_other_turns_are_in_flight(monkeypatch):
    import assistant.reply.writer as writer_module

    fast = TimedGenerator(delay=0.0)
    busy = writer(fast, budget_s=0.5)
    busy.pace.per_char = 1.0
    monkeypatch.setattr(writer_module, "RETRY_IDLE_S", 0.0)
    busy.write(ANSWER, "how do returns work?", idle=False)
    time.sleep(0.2)
    assert fast.calls == 0  # the model's time goes to nobody's measurement while shoppers wait
