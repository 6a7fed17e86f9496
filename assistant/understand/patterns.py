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
_FOR_SOMEONE = re.compile(rf"\bfor (?:my|a|an|our|his|her|their) (?:new )?{_STAFF}\b|\bgifts?\b", _I)


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
    r"|\bwhere(?:'s| is)\b.{0,10}\bmy (?:refund|money)\b"
    r"|\b(?:charged|billed|debited)\b.{0,30}\b(?:(?:i|we) (?:cancel+ed|returned|never (?:ordered|received|got))|"
    r"(?:cancel+ed|returned) (?:order|item))\b", _I)

# -- hello and goodbye ----------------------------------------------------------------------------
_GREETING = (r"hi|hii+|hello|hallo|hey|heya|heyo|hiya|howdy|yo|hola|g'?day|greetings|good (?:morning|afternoon|evening|day)|"
             r"morning|evening|long time no see|nice to (?:meet|see) you|"
             r"how(?:'s|s| is| are| r| have)? ?(?:you been|ya been|u been|you|ya|u|things|it going|it hanging|life|everything|your (?:day|week)(?: going| been)?)(?: doing| doin'?| going| been| are)?(?: today| lately)?|"
             r"what'?s (?:up|new|happening)|wh?at?s+up|sup")
_GOODBYE = (r"(?:special |big |many )?thanks(?: a lot| so much| again| a bunch| a ton| heaps| to you| for (?:your|the|all the|that|this)(?: \w+){1,2}| for helping(?: me)?(?: out)?)?|"
            r"thank you(?: so much| very much| again| kindly| for (?:your|the|all the|that|this)(?: \w+){1,2}| for helping(?: me)?(?: out)?)?|thx|ty|"
            r"i owe you(?: one| a big one)?|"
            r"many thanks|cheers|bye(?: bye| for now)?|goodbye|good bye|see (?:you|ya)(?: later| soon)?|later|"
            r"take care|have a (?:nice|good|great|lovely) (?:day|one|evening|night|weekend)|good night|"
            r"that'?s (?:all|it|everything)(?: for (?:now|today))?|that is all|i'?m done|all (?:good|set)|"
            r"appreciate it|much appreciated|much obliged|i (?:really )?appreciate (?:it|that|you|your help|the help)(?: doing that)?|"
            r"i(?:'m| am) (?:so |very |really )?(?:thankful|grateful)(?: for (?:your|the|all the) help)?|"
            r"(?:it was |this was |that was )?(?:nice|good|great|lovely|a pleasure) (?:talking|chatting|speaking|to (?:talk|chat|speak))(?: (?:to|with) you)?|"
            r"(?:great|good|nice) (?:talk|chat)|until next time|peace out|ciao|adios|"
            r"you(?:'ve| have) been (?:very |so |really )?helpful|great help|talk (?:to you )?(?:later|soon)|farewell")
_FILLER = r"(?:there|again|today|now|out|mate|my friend|everyone|folks|team|all|assistant|shopassist|bot|ai|robot|chatbot|friend|buddy|ok|okay|so|oh|well|great|perfect|awesome|cool|nice|:\)|!)"
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
    ("damaged", r"\b(?:damaged|broken|defective|faulty|cracked|smashed|dented|torn|ripped|doesn'?t work|does not work|"
                r"stopped working|not working|arrived (?:wet|crushed))\b"),
    ("cancel", r"\bcancel"),
    ("address", r"\baddress\b|\bchange where\b|\bwhere (?:it|my order|the order|my package|the package|my parcel) "
                r"(?:is|gets|should be|will be) (?:delivered|sent|shipped)\b|\b(?:ship|send|deliver)\b.{0,20}\bto (?:a |another |my |the )?(?:new|different|other)\b"
                r"|\b(?:ship|send|deliver|redirect)\b.{0,30}\bto\s+\d+\s+[A-Za-z]"),
    ("return_status", r"\b(?:status|update|progress|news|where(?:'s| is)|happening|happened)\b.{0,25}\b(?:return|refund)\b"
                      r"|\b(?:return|refund)\b.{0,20}\b(?:status|processed|received|come through|going|arrived|got there)\b"
                      r"|\b(?:did|have|has) (?:you|your warehouse|the warehouse|it) (?:get|got|receive|received)\b.{0,15}\b(?:my )?return"),
    ("return", r"\breturn|\bsend\s+(?:\w+\s+){0,2}back\b|\bexchange|\brefund|\bmoney back\b|\bwrong (?:size|item|colou?r)\b"),
    ("date", r"\bwhen\b|\bhow (?:long|soon)\b|\bwhat (?:day|date)\b|\beta\b"),
    ("status", r"\bwhere\b|\bstatus\b|\bhappen(?:ed|ing)?\b|\bgoing on\b|\bup with\b|\bgo(?:ne)? through\b|\bshipped\b|\bship\b|\btrack|\barriv|\bdeliver|\bon (?:its|the) way\b|\bget here\b|\bsent\b|\bupdate\b"),
    ("items", r"\bwhat\b|\bwhich\b|\bcontents?\b|\blist\b"),
)


# Doing, not asking: an order is cancelled or a return opened only on words that ask for the deed
# ("cancel my order please", "start a return"); "can I cancel?" or "I might want to cancel it" gets the
# facts and a question first.
CANCEL_NOW = re.compile(r"^\W*(?:please\s+|ok,?\s+|then\s+|just\s+)?cancel\b"
                        r"|\b(?:i(?:'d| would) like|i want|i need|i wanna|please|can you|could you|would you|go ahead and)\b"
                        r".{0,20}\bcancel|\bcancel\b.{0,40}\bplease\b|\bchanged my mind\b.{0,25}\bcancel", _I)
RETURN_NOW = re.compile(r"\b(?:start|open|begin|process|set up|initiate|file|make)\b.{0,15}\breturn"
                        r"|\b(?:i(?:'d| would) like|i want|i need|i wanna|please|can you|could you|would you)\b.{0,20}"
                        r"\b(?:return|send (?:\w+ ){0,2}back)\b|^\W*(?:please\s+)?(?:return|send back)\b", _I)
HEDGED = re.compile(r"\b(?:might|maybe|perhaps|thinking (?:of|about)|considering|not sure|wondering|can i|could i|"
                    r"am i able|is it possible|is it too late|how (?:do|can|could) i|should i)\b", _I)


def order_kind(text: str) -> str:
    """What the shopper wants done with or known about an order; "status" when nothing more specific is said."""
    if ADDRESS.search(text) and not re.search(r"\bcancel|\breturn", text, _I):
        return "address"  # "42 Elm Street, Springfield" after "change my delivery address"
    for kind, pattern in _ORDER_KINDS:
        if re.search(pattern, text, _I):
            return kind
    return "status"


# "cancel it", "return that one": an order verb pointing back at the order just talked about.
ORDER_POINTER = re.compile(
    r"^\W*(?:please\s+)?(?:(?:can|could|would) you\s+|i(?:'d| would) like to\s+|i want to\s+|just\s+|then\s+|ok,?\s+)*"
    r"(?:cancel|return|send back|refund)\s+(?:it|that|this|them|those|the order|that order|this order|this one|that one)\b", _I)

# "when will my laptop arrive?": a thing the store sells, theirs and on its way, is their order ("my flight" is not).
MY_THING_COMING = re.compile(r"\b(?:my|mine)\b.{0,30}\b(?:arrive|arriving|arrived|shipped|get here|gets here|coming|delivered)\b", _I)

RECEIVED = re.compile(r"\b(?:my|mine|arrived|came|received|got|delivered|ordered|bought)\b", _I)  # about a thing they have

_OLDER = re.compile(r"\b(?:previous|earlier|other|second(?:-to-| to )last|one before|before that|older)\b", _I)


def wants_older_order(text: str) -> bool:
    return bool(_OLDER.search(text))


# -- follow-ups on the products just shown --------------------------------------------------------
SUPERLATIVE: tuple[tuple[str, str], ...] = (
    ("cheapest", r"\b(?:cheapest|least expensive|lowest[- ]price[d]?|most affordable|cheaper one|best price|"
                 r"costs? (?:the )?least|(?:the )?least (?:money|pricey)|lowest cost)\b"),
    ("priciest", r"\b(?:most expensive|priciest|highest[- ]price[d]?|dearest)\b"),
    ("best_rated", r"\b(?:best[- ]rated|highest[- ]rated|top[- ]rated|best reviews?|most popular|best one|which (?:one )?is (?:the )?best|"
                   r"which (?:one )?(?:would|do) you (?:recommend|suggest|pick))\b"),
)
ORDINALS = {"first": 0, "1st": 0, "top": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "last": -1}
ORDINAL = re.compile(r"\b(first|1st|top|second|2nd|third|3rd|fourth|4th|last)\b(?:\s+(?:one|option|item|product|pick))?", _I)
# "which one is cheapest?", "is the first one in stock?": about cards shown before, whatever they were.
POINTS_BACK = re.compile(r"\b(?:which|what) (?:one|ones)\b|\bof (?:them|those|these|the ones)\b"
                         r"|\b(?:first|1st|second|2nd|third|3rd|fourth|4th|last) (?:one|option|item|product|pick)\b"
                         r"|\bthe (?:first|second|third|fourth|last)\W*$"
                         r"|^\W*which(?: one)? (?:is|are|would|has|costs?)\b.{0,30}\b(?:cheapest|least|lowest|most|best|highest|"
                         r"better|priciest|dearest)\b"
                         r"|^\W*(?:is|are) (?:it|they|that|this|those|these)(?: one)? (?:in stock|available|any good|on sale)\b"
                         r"|^\W*how much (?:is|are|does|do) (?:it|they|that|this|those|these)(?: one)?(?: cost)?\W*$", _I)
PRONOUN = re.compile(r"\b(?:it|that one|this one|that|this|them|they|those|these|both)\b", _I)
ASKS_STOCK = re.compile(r"\b(?:in stock|available|availability|sold out|out of stock|have (?:it|any)|ships? (?:today|now)|left)\b", _I)
ASKS_PRICE = re.compile(r"\b(?:how much|price|cost|costs)\b", _I)
ASKS_DETAILS = re.compile(r"\b(?:tell me more|more about|details?|describe|features?|what(?:'s| is) (?:it|that|special)|"
                          r"is it|are they|does it|do they|can it|good for|rating|reviews?|compare|difference)\b", _I)
REFINE = re.compile(r"\b(?:cheaper|less expensive|lower price|more expensive|pricier|under|below|less than|over|above|"
                    r"between|only|just|in stock|available|other (?:options|ones|brands|colou?rs)|more (?:options|like (?:this|these))|"
                    r"show me more|anything else|something else|what else|any others?)\b|\$\s?\d", _I)

# -- asking to buy: these frames are a product search whatever follows ("do you sell etherfast switches?");
# the search itself then says whether the store carries the thing.
SHOPPING_FRAME = re.compile(
    r"\bdo (?:you|y'?all|u) (?:guys )?(?:sell|carry|stock|offer)\b|\bhave you got any\b|\b(?:shopping|shop) for\b"
    r"|\b(?:want|need|looking|like|going|trying|plan(?:ning)?) to (?:buy|purchase|order|get (?:me )?a new)\b"
    r"|\bwhere (?:can|do) i (?:find|buy|get)\b.{0,40}\b(?:on your (?:site|store|website)|here|from you)\b"
    r"|\b(?:recommend|suggest)\s+(?:me\s+)?(?:a|an|some|any|the best)\s+(?!(?:(?:good|nice|great)\s+)?(?:movie|film|book|song|show|"
    r"series|restaurant|hotel|place|recipe|podcast|album|game to play)s?\b)\w+"
    r"|\b(?:broke|broken|died|wore out|worn out),?\s+(?:so\s+)?(?:i\s+)?need (?:a )?(?:new|another|replacement)\b", _I)
# "show me ...", "find me ...": a search only when the store's catalog backs it (the turn checks the evidence),
# since "show me the channel guide" and "find me an uber" are not.
SHOW_ME = re.compile(r"^\W*(?:please\s+)?(?:show|find)\s+me\s+(?:some\s+|a\s+|an\s+|your\s+)?(?!how\b|the way\b|what\b|where\b)[a-z]+", _I)

# -- asking for suggestions without naming a thing ------------------------------------------------
RECOMMEND = re.compile(
    r"\b(?:recommend|suggest|pick|choose|surprise)\b.{0,25}\b(?:me|something|anything|for me)\b"
    r"|\bwhat (?:should|could|can|would|might) i (?:buy|get|order|like|try)\b|\bany (?:ideas|suggestions|recommendations|tips)\b"
    r"|\bwhat do you (?:recommend|suggest)\b|\bsomething (?:for me|i(?:'d| would| might) (?:like|love|enjoy))\b"
    r"|\b(?:what(?:'s| is)|anything) (?:new |good )?for me\b|\bideas? (?:for|of) what\b|\bwhat(?:'s| is) good\b"
    r"|\bshow me (?:something|anything)\b|\bi(?:'m| am) (?:just )?(?:browsing|looking around)\b"
    r"|\b(?:picks?|suggestions?|recommendations?|ideas?)\s+for\s+me\b|\bsurprise me\b"
    r"|\banything (?:worth|good|new|nice|interesting)\b.{0,20}\b(?:look|seeing|checking|buying|getting)\b"
    r"|\bworth a look\b", _I)

# -- about the assistant itself, and bare acknowledgements -----------------------------------------
ABOUT_ME = re.compile(
    r"^\W*(?:who|what) are you\b|\bwhat (?:can|do|could) you (?:do|help(?: me)? with)\b|\bhow (?:can|do|could) you help\b"
    r"|\bwhat (?:can|could|should) i ask\b|\bare you (?:a |an )?(?:bot|robot|human|real person|person|ai|machine|computer)\b"
    r"|^\W*(?:help|help me|i need (?:some )?help|menu|options|what is this)\W*$", _I)
ACKNOWLEDGE = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|sure|ok|okay|k|kk|cool|great|nice|alright|all right|fine|got it|i see|hmm+|no|nope|nah|"
    r"not really|maybe|never mind|nevermind|nothing|no thanks|no thank you)(?:\W+(?:please|then|thanks|for now))?\W*$", _I)

# -- answers to a question the assistant asked ----------------------------------------------------
YES = re.compile(r"^\W*(?:yes|yeah|yep|yup|sure|ok|okay|please do|do it|go ahead|go for it|correct|right|absolutely|"
                 r"yes please|please|sounds good|that would be great|start it|start the return|confirm)\b", _I)
NO = re.compile(r"^\W*(?:no|nope|nah|not now|don't|do not|never mind|nevermind|cancel that|stop|leave it)\b", _I)
ADDRESS = re.compile(r"\d+\s+\w+.*\b(?:st|street|rd|road|ave|avenue|blvd|boulevard|lane|ln|drive|dr|way|court|ct|place|pl|"
                     r"square|sq|terrace|close|crescent|highway|hwy|apt|apartment|suite|unit|floor)\b", _I)
ADDRESS_AFTER_TO = re.compile(r"\bto\s*:?\s*(.{6,200})$", _I)
