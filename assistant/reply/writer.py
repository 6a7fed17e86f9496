"""The tuned model words the reply from the turn's facts; the check decides whether its draft is sent.

    writer = ReplyWriter(generator, DraftCheck(titles, people))
    written = writer.write(answer, "where is my order?")   # Written(text, drafted=True) or the composed reply

The prompt holds only the facts (never the composed reply), so the model phrases, the facts decide.
Fine-tuning trains on exactly these prompts (`finetune/grounded.py`) with composed replies as targets.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.reply.answer import Answer
from assistant.reply.check import DraftCheck
from assistant.types import Message, Prompt

TEMPLATE = "facts@1"
SYSTEM = ("You are ShopAssist, the shopping assistant of an online store. Reply to the customer's last message in "
          "one to three short sentences, using only the facts below. Say the facts that answer the customer; never "
          "add a price, number, date, code, product, name or link that is not in the facts.")
DRAFT_TOKENS = 110  # a three-sentence reply; longer drafts are cut and fail the check


def draft_prompt(answer: Answer, message: str, *, system: str | None = None) -> Prompt:
    """The chat the model completes: system rules (an experiment may vary them) + facts, then the shopper's message."""
    lines = [system or SYSTEM, "", "Facts:", *(f"- {fact}" for fact in answer.facts)]
    must = [group[0] for group in answer.required]
    if must:
        lines += ["", "Must mention: " + "; ".join(must)]
    # No repetition penalty: a draft must copy product names, prices and order ids from the facts, and a
    # penalty on every token already seen turns "Stride Terra 8" into "Stridge Terra 8".
    return Prompt(messages=(Message("system", "\n".join(lines)), Message("user", message)), template=TEMPLATE,
                  max_new_tokens=DRAFT_TOKENS, repetition_penalty=1.0)


@dataclass(frozen=True)
class Written:
    text: str
    drafted: bool  # True: the model's draft passed the check and is what the shopper reads
    problems: tuple[str, ...] = ()  # why a draft was not sent


class ReplyWriter:
    def __init__(self, generator, check: DraftCheck, *, enabled: bool = True) -> None:
        self.generator = generator
        self.check = check
        self.enabled = enabled

    def draft(self, answer: Answer, message: str, *, system: str | None = None) -> str:
        return "".join(self.generator.stream(draft_prompt(answer, message, system=system))).strip()

    def write(self, answer: Answer, message: str, *, system: str | None = None) -> Written:
        if not self.enabled or self.generator is None:
            return Written(answer.text, drafted=False)
        draft = self.draft(answer, message, system=system)
        problems = self.check.problems(draft, answer, message)
        return Written(answer.text, drafted=False, problems=tuple(problems)) if problems else Written(draft, drafted=True)
