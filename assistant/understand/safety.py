"""The safety fast path: the two things no model may miss, checked before any model runs.

An explicit request for a person ("connect me with an agent", "I want a manager") and money gone wrong
("charged twice", "my refund never came") hand the conversation to a person at once. These are the only
phrase rules left in understanding; everything else is read by the models (`understand.py`). A miss here
still reaches the models, which learned both; a false alarm costs a ticket, never an action on an order.
"""

from __future__ import annotations

import re

from assistant.commands import Handoff

_I = re.IGNORECASE
_STAFF = (r"(?:human|humans|agent|agents|representative|rep|manager|supervisor|operator|staff member|employee|"
          r"customer (?:service|support|care)(?: team| department)?|support team|live (?:agent|chat|support|person)|"
          r"real (?:person|human|people)|actual (?:person|human))")
_PEOPLE = r"(?:person|someone|somebody|people|a human being)"
PERSON = re.compile(
    rf"\b(?:speak|talk|chat|connect|transfer|put me through|escalate|reach|contact|call|get|give|want|need|like|let me|"
    rf"can i|could i|is there|any)\b.{{0,40}}\b{_STAFF}\b"
    rf"|\b(?:speak|talk|chat|connect|transfer|put me through)\b.{{0,25}}\b{_PEOPLE}\b"
    rf"|^\W*(?:an? |the )?{_STAFF}(?: please| now| asap)?\W*$", _I)
_FOR_SOMEONE = re.compile(rf"\bfor (?:my|a|an|our|his|her|their) (?:new )?{_STAFF}\b|\bgifts?\b", _I)
MONEY_TROUBLE = re.compile(
    r"\b(?:charged|billed|debited|paid|took (?:the )?money)\b.{0,25}\b(?:twice|two times|2 times|double|again|three times)\b"
    r"|\bdouble[- ]?(?:charged|charge|billed|payment)\b|\bover-?charg|\bcharged (?:me )?(?:the )?wrong amount"
    r"|\b(?:unauthori[sz]ed|fraudulent) (?:charge|payment|transaction)"
    r"|\brefund\b.{0,40}\b(?:never|still not|still hasn't|still haven't|not (?:yet )?(?:received|arrived|come|shown)|"
    r"hasn't (?:arrived|come|shown)|haven't (?:received|got|gotten|seen)|didn't (?:get|receive)|missing)\b"
    r"|\b(?:never|still (?:haven't|have not|hasn't)|haven't|didn't)\b.{0,30}\b(?:refund|(?:my )?money back)\b"
    r"|\bwhere(?:'s| is)\b.{0,10}\bmy (?:refund|money)\b"
    r"|\b(?:charged|billed|debited)\b.{0,30}\b(?:(?:i|we) (?:cancel+ed|returned|never (?:ordered|received|got))|"
    r"(?:cancel+ed|returned) (?:order|item))\b", _I)
RULES = 3  # compiled phrase rules in this module (PERSON with its _FOR_SOMEONE guard, MONEY_TROUBLE)


def safety_handoff(message: str) -> Handoff | None:
    """A `Handoff` when the message asks for a person or reports money gone wrong, else None."""
    if MONEY_TROUBLE.search(message):
        return Handoff("money")
    if PERSON.search(message) and not _FOR_SOMEONE.search(message):
        return Handoff("person")
    return None
