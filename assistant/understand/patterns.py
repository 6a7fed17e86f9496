"""Phrasings that decide a turn on their own: asking for a person, money trouble, hello and goodbye,
a reference to the shopper's own order, a follow-up on products just shown, a yes or a no.

Rules, not a model, because these must never be missed and their words are few: "I want a manager"
always reaches a person, "cancel my order" always reaches the order desk. Everything else goes to
the learned gate (`assistant/understand/gate.py`).
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# -- people ---------------------------------------------------------------------------------------
_STAFF = (r"(?:human|humans|agent|agents|representative|rep|manager|supervisor|operator|staff member|employee|"
          r"customer (?:service|support|care)(?: team| department)?|support team|live (?:agent|chat|support|person)|"
          r"real (?:person|human|people)|actual (?:person|human))")
_PEOPLE = r"(?:person|someone|somebody|people|a human being)"
HANDOFF = re.compile(
    rf"\b(?:speak|talk|chat|connect|transfer|put me through|escalate|reach|contact|call|get|give|want|need|like|let me|"
    rf"can i|could i|is there|any)\b.{{0,40}}\b{_STAFF}\b"
    rf"|\b(?:speak|talk|chat|connect|transfer|put me through)\b.{{0,25}}\b{_PEOPLE}\b"
    rf"|^\W*(?:an? |the )?{_STAFF}(?: please| now| asap)?\W*$", _I)
_FOR_SOMEONE = re.compile(rf"\b(?:for|to) (?:my|a|an|our|his|her|their) (?:new )?{_STAFF}\b|\bgifts?\b", _I)


def asks_for_person(text: str) -> bool:
    """"connect me with an agent", "I want a manager" (but not "a gift for my manager")."""
    return bool(HANDOFF.search(text)) and not _FOR_SOMEONE.search(text)

# Money gone wrong: charged twice, a refund that did not come. Always a person's job.
MONEY_TROUBLE = re.compile(
    r"\b(?:charged|billed|debited|paid|took (?:the )?money)\b.{0,25}\b(?:twice|two times|2 times|double|again|three times)\b"
    r"|\bdouble[- ]?(?:charged|charge|billed|payment)\b|\bover-?charg|\bcharged (?:me )?(?:the )?wrong amount"
    r"|\b(?:unauthori[sz]ed|fraudulent) (?:charge|payment|transaction)"
    r"|\brefund\b.{0,40}\b(?:never|still not|still hasn't|still haven't|not (?:yet )?(?:received|arrived|come|shown)|"
    r"hasn't (?:arrived|come|shown)|haven't (?:received|got|gotten|seen)|didn't (?:get|receive)|missing)\b"
    r"|\b(?:never|still (?:haven't|have not|hasn't)|haven't|didn't)\b.{0,30}\b(?:refund|(?:my )?money back)\b"
    r"|\bwhere(?:'s| is)\b.{0,10}\bmy (?:refund|money)\b", _I)

# -- hello and goodbye ----------------------------------------------------------------------------
_GREETING = (r"hi|hii+|hello|hallo|hey|heya|heyo|hiya|howdy|yo|hola|g'?day|greetings|good (?:morning|afternoon|evening|day)|"
             r"morning|evening|long time no see|nice to (?:meet|see) you|"
             r"how(?:'s|s| is| are| r| have)? ?(?:you been|you|ya|u|things|it going|your day(?: going)?)(?: doing| doin'?)?(?: today)?|"
             r"what'?s (?:up|new|happening)|wh?at?s+up|sup")
_GOODBYE = (r"thanks(?: a lot| so much| again| a bunch| for (?:your|the|all the) help| for helping(?: me)?)?|"
            r"thank you(?: so much| very much| again| for (?:your|the|all the) help| for helping(?: me)?)?|thx|ty|"
            r"many thanks|cheers|bye(?: bye| for now)?|goodbye|good bye|see (?:you|ya)(?: later| soon)?|later|"
            r"take care|have a (?:nice|good|great|lovely) (?:day|one|evening|night|weekend)|good night|"
            r"that'?s (?:all|it|everything)(?: for (?:now|today))?|that is all|i'?m done|all (?:good|set)|"
            r"appreciate it|much appreciated|much obliged|i appreciate (?:it|that|you|your help|the help)|"
            r"i(?:'m| am) (?:so |very |really )?(?:thankful|grateful)(?: for (?:your|the|all the) help)?|"
            r"(?:it was |this was |that was )?(?:nice|good|great|lovely|a pleasure) (?:talking|chatting|speaking|to (?:talk|chat|speak))(?: (?:to|with) you)?|"
            r"(?:great|good|nice) (?:talk|chat)|until next time|peace out|ciao|adios|"
            r"you(?:'ve| have) been (?:very |so |really )?helpful|great help|talk (?:to you )?(?:later|soon)|farewell")
_FILLER = r"(?:there|again|everyone|folks|team|all|assistant|shopassist|bot|ai|robot|chatbot|friend|buddy|ok|okay|so|oh|well|great|perfect|awesome|cool|nice|:\)|!)"
_SOCIAL = re.compile(rf"^\W*(?:(?:{_GREETING}|{_GOODBYE}|{_FILLER})\b[\s,.!?;:)(-]*)+", _I)
_GOODBYE_ONLY = re.compile(rf"\b(?:{_GOODBYE})\b", _I)


def split_social(text: str) -> tuple[str | None, str]:
    """("greeting" | "goodbye" | None, the rest): "hi, do you sell tents?" -> ("greeting", "do you sell tents?")."""
    match = _SOCIAL.match(text)
    if not match or not re.search(r"\w", match.group(0)):
        return None, text
    said = match.group(0)
    if not re.search(rf"\b(?:{_GREETING}|{_GOODBYE})\b", said, _I):
        return None, text  # only filler ("ok", "great") before the real message
    kind = "goodbye" if _GOODBYE_ONLY.search(said) else "greeting"
    return kind, text[match.end():].strip()


# -- the shopper's own orders ---------------------------------------------------------------------
_ORDER_NOUN = (r"(?:order|orders|package|packages|parcel|parcels|delivery|deliveries|shipment|shipments|purchase|"
               r"purchases|stuff|return|refund|box|item|items)")
MY_ORDER = re.compile(
    rf"\b(?:my|our|mine)\s+(?:[\w-]+\s+){{0,3}}?{_ORDER_NOUN}\b"
    r"|\bi (?:ordered|bought|purchased|paid for|received|got)\b|\bi(?:'ve| have) (?:ordered|bought|purchased)\b"
    r"|\b(?:order|tracking) (?:number|no\.?|#|id)\b|\btrack(?:ing)?\b.{0,20}\b(?:order|package|parcel|it)\b"
    r"|\b(?:has|did|is|was)\s+(?:it|my \w+)\s+(?:shipped|ship|arrive|arrived|been delivered|delivered|on its way|sent)\b"
    r"|\bwhere(?:'s| is)\s+(?:it|my stuff)\b|\bdid i (?:order|buy|purchase|get)\b"
    r"|\b(?:order|package|parcel|delivery|shipment)\s+(?:status|update|tracking)\b"
    r"|\bstatus of (?:the |my |an )?(?:order|package|parcel|delivery|shipment)\b"
    r"|\bmy\s+(?:[\w-]+\s+){0,2}?[\w-]+\b.{0,40}\b(?:return|exchange|send (?:it |them )?back|refund)\b"
    r"|\b(?:return|exchange|send back|refund)\s+(?:for\s+)?my\b", _I)
ORDER_ID = re.compile(r"\b([A-Z]{1,3}-?\d{4,10})\b", _I)
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_ORDER_KINDS: tuple[tuple[str, str], ...] = (
    ("cancel", r"\bcancel"),
    ("address", r"\baddress\b|\b(?:ship|send|deliver)\b.{0,20}\bto (?:a |another |my |the )?(?:new|different|other)\b"),
    ("return_status", r"\b(?:status|update|progress|where(?:'s| is))\b.{0,25}\b(?:return|refund)\b"
                      r"|\b(?:return|refund)\b.{0,20}\b(?:status|processed|received|come through|going)\b"),
    ("return", r"\breturn|\bsend\s+(?:\w+\s+){0,2}back\b|\bexchange|\brefund|\bmoney back\b|\bwrong (?:size|item|colou?r)\b"),
    ("date", r"\bwhen\b|\bhow (?:long|soon)\b|\bwhat (?:day|date)\b|\beta\b"),
    ("status", r"\bwhere\b|\bstatus\b|\bshipped\b|\bship\b|\btrack|\barriv|\bdeliver|\bon (?:its|the) way\b|\bget here\b|\bsent\b|\bupdate\b"),
    ("items", r"\bwhat\b|\bwhich\b|\bcontents?\b|\blist\b"),
)


def order_kind(text: str) -> str:
    """What the shopper wants done with or known about an order; "status" when nothing more specific is said."""
    for kind, pattern in _ORDER_KINDS:
        if re.search(pattern, text, _I):
            return kind
    return "status"


ORDER_WORDS = re.compile(r"\b(?:order|orders|package|parcel|delivery|shipment|purchase|return|refund|tracking)\b", _I)
_OLDER = re.compile(r"\b(?:previous|earlier|other|second(?:-to-| to )last|one before|before that|older)\b", _I)


def wants_older_order(text: str) -> bool:
    return bool(_OLDER.search(text))


# -- follow-ups on the products just shown --------------------------------------------------------
SUPERLATIVE: tuple[tuple[str, str], ...] = (
    ("cheapest", r"\b(?:cheapest|least expensive|lowest[- ]price[d]?|most affordable|cheaper one|best price)\b"),
    ("priciest", r"\b(?:most expensive|priciest|highest[- ]price[d]?|dearest)\b"),
    ("best_rated", r"\b(?:best[- ]rated|highest[- ]rated|top[- ]rated|best reviews?|most popular|best one|which (?:one )?is (?:the )?best|"
                   r"which (?:one )?(?:would|do) you (?:recommend|suggest|pick))\b"),
)
ORDINALS = {"first": 0, "1st": 0, "top": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "last": -1}
ORDINAL = re.compile(r"\b(first|1st|top|second|2nd|third|3rd|fourth|4th|last)\b(?:\s+(?:one|option|item|product|pick))?", _I)
PRONOUN = re.compile(r"\b(?:it|that one|this one|that|this|them|they|those|these|both)\b", _I)
ASKS_STOCK = re.compile(r"\b(?:in stock|available|availability|sold out|out of stock|have (?:it|any)|ships? (?:today|now)|left)\b", _I)
ASKS_PRICE = re.compile(r"\b(?:how much|price|cost|costs)\b", _I)
ASKS_DETAILS = re.compile(r"\b(?:tell me more|more about|details?|describe|features?|what(?:'s| is) (?:it|that|special)|"
                          r"is it|are they|does it|do they|can it|good for|rating|reviews?|compare|difference)\b", _I)
REFINE = re.compile(r"\b(?:cheaper|less expensive|lower price|more expensive|pricier|under|below|less than|over|above|"
                    r"between|only|just|in stock|available|other (?:options|ones|brands|colou?rs)|more (?:options|like (?:this|these))|"
                    r"show me more|anything else|something else|what else|any others?)\b|\$\s?\d", _I)

# -- asking for suggestions without naming a thing ------------------------------------------------
RECOMMEND = re.compile(
    r"\b(?:recommend|suggest|pick|choose|surprise)\b.{0,25}\b(?:me|something|anything|for me)\b"
    r"|\bwhat (?:should|could|can|would|might) i (?:buy|get|order|like|try)\b|\bany (?:ideas|suggestions|recommendations|tips)\b"
    r"|\bwhat do you (?:recommend|suggest)\b|\bsomething (?:for me|i(?:'d| would| might) (?:like|love|enjoy))\b"
    r"|\b(?:what(?:'s| is)|anything) (?:new |good )?for me\b|\bideas? (?:for|of) what\b|\bwhat(?:'s| is) good\b"
    r"|\bshow me (?:something|anything)\b|\bi(?:'m| am) (?:just )?(?:browsing|looking around)\b", _I)

# -- answers to a question the assistant asked ----------------------------------------------------
YES = re.compile(r"^\W*(?:yes|yeah|yep|yup|sure|ok|okay|please do|do it|go ahead|go for it|correct|right|absolutely|"
                 r"yes please|please|sounds good|that would be great|start it|start the return|confirm)\b", _I)
NO = re.compile(r"^\W*(?:no|nope|nah|not now|don't|do not|never mind|nevermind|cancel that|stop|leave it)\b", _I)
ADDRESS = re.compile(r"\d+\s+\w+.*\b(?:st|street|rd|road|ave|avenue|blvd|boulevard|lane|ln|drive|dr|way|court|ct|place|pl|"
                     r"square|sq|terrace|close|crescent|highway|hwy|apt|apartment|suite|unit|floor)\b", _I)
ADDRESS_AFTER_TO = re.compile(r"\bto\s*:?\s*(.{6,200})$", _I)
