"""The old rules-only router, frozen at commit 28b1035: the baseline the command model is scored against.

    RulesRouter(catalog).commands("hiking boots below $80", SessionState())
    -> [SearchProducts(category="shoes", price_max=80.0)]

How ShopAssist read a message before the tuned model (28b1035: assistant/understand/patterns.py and
understand.py, retrieval/constraints.py, assistant/products/desk.py, assistant/orders/desk.py), each old route
written as the commands it stood for, so one set of expected commands scores both. Copied, not imported: the
assistant's rules are being rewritten, and this baseline must go on reading messages as they did, bugs
included ("please don't cancel it" with a cancel pending is a yes: NO matched only at the start, YES "please").

Limits: the rules alone, honestly weaker than the old full router, which ended in models (shopping gate,
catalog similarity, tuned intent label, policy-text score). What the rules leave undecided is OutOfScope, or a
search where the catalog's vocabulary names something (the old fallback without a gate): policy questions,
complaints and paraphrases no rule catches end as OutOfScope. A SHOPPING_FRAME message is always a search (the
policy diversion needed the scores); SHOW_ME is not copied (without similarity it was a search only where the
vocabulary names something, which the fallback already is). One route gives one command. With no order book, a
named id counts when `orders_of(user_id)` lists it (any id-shaped token for a guest or without `orders_of`), and
the item words the old `_pick` matched against a shopper's order titles are the `item` as they stand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from assistant.commands import (AskShown, Bye, Command, Confirm, Deny, Greet, Handoff, OrderChange, OrderIssue, OrderRef,
                                OrderStatus, OutOfScope, Recommend, Refine, SearchProducts, SessionState, Thanks)
from data.schema import Product

_I = re.IGNORECASE

# == the rules, copied verbatim from 28b1035 ================================================================
# -- assistant/understand/patterns.py
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
_SOCIAL_FILLER = r"(?:there|again|today|now|out|mate|my friend|everyone|folks|team|all|assistant|shopassist|bot|ai|robot|chatbot|friend|buddy|ok|okay|so|oh|well|great|perfect|awesome|cool|nice|:\)|!)"
_SOCIAL = re.compile(rf"^\W*(?:(?:{_GREETING}|{_GOODBYE}|{_SOCIAL_FILLER})\b[\s,.!?;:)(-]*)+", _I)
_GOODBYE_ONLY = re.compile(rf"\b(?:{_GOODBYE})\b", _I)
_SOCIAL_SAID = re.compile(rf"\b(?:{_GREETING}|{_GOODBYE})\b", _I)
_HAS_WORD = re.compile(r"\w")
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
_ORDER_KINDS: tuple[tuple[str, re.Pattern], ...] = tuple((kind, re.compile(pattern, _I)) for kind, pattern in (
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
))
_CANCEL_OR_RETURN = re.compile(r"\bcancel|\breturn", _I)
ORDER_POINTER = re.compile(
    r"^\W*(?:please\s+)?(?:(?:can|could|would) you\s+|i(?:'d| would) like to\s+|i want to\s+|just\s+|then\s+|ok,?\s+)*"
    r"(?:cancel|return|send back|refund)\s+(?:it|that|this|them|those|the order|that order|this order|this one|that one)\b", _I)
MY_THING_COMING = re.compile(r"\b(?:my|mine)\b.{0,30}\b(?:arrive|arriving|arrived|shipped|get here|gets here|coming|delivered)\b", _I)
RECEIVED = re.compile(r"\b(?:my|mine|arrived|came|received|got|delivered|ordered|bought)\b", _I)
_OLDER = re.compile(r"\b(?:previous|earlier|other|second(?:-to-| to )last|one before|before that|older)\b", _I)
SUPERLATIVE: tuple[tuple[str, re.Pattern], ...] = tuple((kind, re.compile(pattern, _I)) for kind, pattern in (
    ("cheapest", r"\b(?:cheapest|least expensive|lowest[- ]price[d]?|most affordable|cheaper one|best price|"
                 r"costs? (?:the )?least|(?:the )?least (?:money|pricey)|lowest cost)\b"),
    ("priciest", r"\b(?:most expensive|priciest|highest[- ]price[d]?|dearest)\b"),
    ("best_rated", r"\b(?:best[- ]rated|highest[- ]rated|top[- ]rated|best reviews?|most popular|best one|which (?:one )?is (?:the )?best|"
                   r"which (?:one )?(?:would|do) you (?:recommend|suggest|pick))\b"),
))
ORDINALS = {"first": 0, "1st": 0, "top": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "last": -1}
ORDINAL = re.compile(r"\b(first|1st|top|second|2nd|third|3rd|fourth|4th|last)\b(?:\s+(?:one|option|item|product|pick))?", _I)
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
SHOPPING_FRAME = re.compile(
    r"\bdo (?:you|y'?all|u) (?:guys )?(?:sell|carry|stock|offer)\b|\bhave you got any\b|\b(?:shopping|shop) for\b"
    r"|\b(?:want|need|looking|like|going|trying|plan(?:ning)?) to (?:buy|purchase|order|get (?:me )?a new)\b"
    r"|\bwhere (?:can|do) i (?:find|buy|get)\b.{0,40}\b(?:on your (?:site|store|website)|here|from you)\b"
    r"|\b(?:recommend|suggest)\s+(?:me\s+)?(?:a|an|some|any|the best)\s+(?!(?:(?:good|nice|great)\s+)?(?:movie|film|book|song|show|"
    r"series|restaurant|hotel|place|recipe|podcast|album|game to play)s?\b)\w+"
    r"|\b(?:broke|broken|died|wore out|worn out),?\s+(?:so\s+)?(?:i\s+)?need (?:a )?(?:new|another|replacement)\b", _I)
RECOMMEND = re.compile(
    r"\b(?:recommend|suggest|pick|choose|surprise)\b.{0,25}\b(?:me|something|anything|for me)\b"
    r"|\bwhat (?:should|could|can|would|might) i (?:buy|get|order|like|try)\b|\bany (?:ideas|suggestions|recommendations|tips)\b"
    r"|\bwhat do you (?:recommend|suggest)\b|\bsomething (?:for me|i(?:'d| would| might) (?:like|love|enjoy))\b"
    r"|\b(?:what(?:'s| is)|anything) (?:new |good )?for me\b|\bideas? (?:for|of) what\b|\bwhat(?:'s| is) good\b"
    r"|\bshow me (?:something|anything)\b|\bi(?:'m| am) (?:just )?(?:browsing|looking around)\b"
    r"|\b(?:picks?|suggestions?|recommendations?|ideas?)\s+for\s+me\b|\bsurprise me\b"
    r"|\banything (?:worth|good|new|nice|interesting)\b.{0,20}\b(?:look|seeing|checking|buying|getting)\b"
    r"|\bworth a look\b", _I)
ABOUT_ME = re.compile(
    r"^\W*(?:who|what) are you\b|\bwhat (?:can|do|could) you (?:do|help(?: me)? with)\b|\bhow (?:can|do|could) you help\b"
    r"|\bwhat (?:can|could|should) i ask\b|\bare you (?:a |an )?(?:bot|robot|human|real person|person|ai|machine|computer)\b"
    r"|^\W*(?:help|help me|i need (?:some )?help|menu|options|what is this)\W*$", _I)
ACKNOWLEDGE = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|sure|ok|okay|k|kk|cool|great|nice|alright|all right|fine|got it|i see|hmm+|no|nope|nah|"
    r"not really|maybe|never mind|nevermind|nothing|no thanks|no thank you)(?:\W+(?:please|then|thanks|for now))?\W*$", _I)
YES = re.compile(r"^\W*(?:yes|yeah|yep|yup|sure|ok|okay|please do|do it|go ahead|go for it|correct|right|absolutely|"
                 r"yes please|please|sounds good|that would be great|start it|start the return|confirm)\b", _I)
NO = re.compile(r"^\W*(?:no|nope|nah|not now|don't|do not|never mind|nevermind|cancel that|stop|leave it)\b", _I)
ADDRESS = re.compile(r"\d+\s+\w+.*\b(?:st|street|rd|road|ave|avenue|blvd|boulevard|lane|ln|drive|dr|way|court|ct|place|pl|"
                     r"square|sq|terrace|close|crescent|highway|hwy|apt|apartment|suite|unit|floor)\b", _I)
ADDRESS_AFTER_TO = re.compile(r"\bto\s*:?\s*(.{6,200})$", _I)
# -- assistant/understand/understand.py: words that name no thing ("recommend something nice for me")
_NOTHING_NAMED = frozenset("i me my could would should might buy get got order try like love for to something anything today now what which any some "
                           "you your recommend suggest pick picks choose ideas idea good new please a an the is are do does can with suggestion "
                           "suggestions recommendation recommendations surprise have else nice cool great worth look looking at there here next "
                           "you'd you'll i'd i'm haven't shopped ages while lately since in".split())
_PLAIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
# -- assistant/products/desk.py: how a follow-up was answered
_CHEAPER = re.compile(r"\b(?:cheaper|less expensive|lower price)\b", _I)
_PRICIER = re.compile(r"\b(?:more expensive|pricier|higher end|better quality)\b", _I)
_MORE = re.compile(r"\b(?:more|else|others?)\b", _I)
_REFINE_FILLER = re.compile(r"\b(?:only|just|any|anything|something|ones?|show me|what about|how about|more|else|other|options)\b", _I)
_DIGIT = re.compile(r"\d")
# -- assistant/orders/desk.py: which order (`_pick`)
NOT_ITEM_WORDS = frozenset("order orders last latest recent most newest previous earlier before return returns cancel status where what when which "
                           "that this these those with have has had delivered delivery shipped shipping ship bought ordered purchased purchase "
                           "package parcel please thanks thank today yesterday week month time again help still arrived arrive arriving sent send "
                           "back address change item items stuff thing things money refund from your would like want need know could should there "
                           "they them their just about tell does did done made make get got here come coming take much many long soon track tracking "
                           "number email mail start started able sure want wanted placed place".split())
_ITEM_WORD = re.compile(r"[a-z]{4,}")
# -- retrieval/constraints.py
_NUM = r"\$?\s*(\d+(?:[.,]\d+)?)\s*(?:k\b)?"
_CUR = r"(?:\s*(?:dollars?|usd|bucks|€|eur(?:os?)?|\$))?"
_UNITS = r"lbs?|kg|g|mm|cm|m|in|inch(?:es)?|ft|feet|gb|tb|mb|mp|w|watts?|hours?|hrs?|h|mah|v|volts?|oz|ml|l|pcs|pieces|people|years?|days?|percent|x"
_END = rf"(?![\w.-])(?!\s*(?:{_UNITS})\b)(?!\s*[\"'%])"
_PRICE_RULES: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(pattern, _I), kind) for pattern, kind in (
    (rf"\b(?:between|from)\s+{_NUM}{_CUR}\s+(?:and|to|-)\s+{_NUM}{_CUR}{_END}", "range"),
    (rf"\$\s*(\d+(?:\.\d+)?)\s*(?:-|to)\s*\$\s*(\d+(?:\.\d+)?){_END}", "range"),
    (rf"\b(?:under|below|less than|cheaper than|at most|max(?:imum)?|up to|no more than|within)\s+{_NUM}{_CUR}{_END}", "max"),
    (rf"\b(?:over|above|more than|at least|min(?:imum)?|starting at)\s+{_NUM}{_CUR}{_END}", "min"),
    (rf"\baround\s+{_NUM}{_CUR}{_END}", "around"),
))
_SORTS: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(pattern, _I), kind) for pattern, kind in (
    (r"\b(?:cheapest|least expensive|lowest[- ]priced?|lowest price|most affordable|cheaper|cheap|budget|affordable|"
     r"inexpensive|low[- ]cost)\b", "price_asc"),
    (r"\b(?:most expensive|priciest|highest[- ]priced?|premium|top[- ]of[- ]the[- ]line)\b", "price_desc"),
    (r"\b(?:best[- ]rated|top[- ]rated|highest[- ]rated|best reviewed|most popular)\b", "rating"),
))
_NOT_SUBJECT = frozenset("a an the your our my any some of for me you do have sell what's what is are which one ones "
                         "show find get need want please product products item items".split())
_GIFT_PEOPLE = (r"(?:wife|husband|partner|girlfriend|boyfriend|dad|father|mom|mum|mother|parents|son|daughter|kids?|children|"
                r"brother|sister|friend|boss|colleague|coworker|grandma|grandpa|grandmother|grandfather|aunt|uncle|niece|nephew|"
                r"teacher|baby|teen|teenager|family|manager|neighbou?r|host|coach|mentor|roommate|fianc[eé]e?)")
GIFT = re.compile(r"\b(?:a |some )?(?:gifts?|presents?)(?: ideas?)?(?: for)?(?: (?:my|our|a|an|the) " + _GIFT_PEOPLE + r"| him| her| them)?"
                  r"(?:,? (?:who|she|he|they) (?:likes?|loves?|enjoys?|is into|are into|really likes?))?\b", _I)
_STOCK = re.compile(r"\b(?:(?:only\s+)?in[\s-]stock(?:\s+only)?|available\s+now|ships?\s+today)\b", _I)
_TRAILING_FILLER = re.compile(r"\b(?:for|with|and|a|an|the|please|i want|i need|show me|find me|looking for)\s*$", _I)
_LEAD = re.compile(r"^(?:(?:hi|hello|hey)[,!.]?\s+)?(?:do you (?:have|sell|carry|stock)|have you got|got any|can you find me|"
                   r"i(?:'m| am) looking for|i(?:'m| am) after|looking for|i(?:'d| would) like|i need|i want|show me|find me|what(?:'s| is) your|"
                   r"what are your|any)\b\s*", _I)
_SUBJECT_END = re.compile(r"\b(?:for|with|without|under|below|over|in|to|that|which|from|by|like|on|at|near)\b", _I)
_MODEL_WORD = re.compile(r"\d|^[A-Z0-9-]{4,}$")
_TRAILER = re.compile(r"\s+(?:in|with|for)\s+.*$", _I)
_NAME_WORD = re.compile(r"[a-z0-9']+")
# -- added here, not in 28b1035: the old goodbye route had no Thanks/Bye split; a goodbye of these words alone is thanks
_THANKS = re.compile(r"\b(?:thanks|thank you|thx|ty|cheers|i owe you|appreciate|appreciated|obliged|thankful|grateful|helpful|great help)\b", _I)


# == the old helpers the rules need ========================================================================
def split_social(text: str) -> tuple[str | None, str]:
    """("greeting" | "goodbye" | None, the rest): "hi, do you sell tents?" -> ("greeting", "do you sell tents?")."""
    match = _SOCIAL.match(text)
    if not match or not _HAS_WORD.search(match.group(0)) or not _SOCIAL_SAID.search(match.group(0)):
        return None, text  # nothing, or only filler ("ok", "great") before the real message
    return "goodbye" if _GOODBYE_ONLY.search(match.group(0)) else "greeting", text[match.end():].strip()


def order_kind(text: str) -> str:
    if ADDRESS.search(text) and not _CANCEL_OR_RETURN.search(text):
        return "address"
    return next((kind for kind, pattern in _ORDER_KINDS if pattern.search(text)), "status")


def new_address(text: str) -> str | None:
    after = ADDRESS_AFTER_TO.search(text)
    candidate = (after.group(1) if after else text).strip(" .!?\"'")
    return candidate if ADDRESS.search(candidate) and len(candidate) <= 200 else None


def product_type(product: Product) -> str:
    """What the product is, in a shopper's words: its most specific tag, else its title without brand and model."""
    tags = [t for t in product.tags if t.lower() != product.category.lower()]
    if tags:
        return tags[0].lower()
    title = _TRAILER.sub("", product.title.split(" - ")[0])
    words = [w for w in title.split() if w.lower() != product.brand.lower() and not _MODEL_WORD.search(w)]
    if product.brand == "" and len(words) >= 2:
        words = words[1:]
    while words and words[0].lower() in ("and", "or", "with", "&"):
        words = words[1:]
    return " ".join(words[-2:]).lower() or product.category.lower() or title.lower()


def _surface_forms(name: str) -> set[str]:
    low = name.lower().strip()
    forms = {low, low.replace("&", "and"), low.replace("-", " "), low.replace("_", " ")}
    for form in list(forms):
        if form.endswith("ies"):
            forms.add(form[:-3] + "y")
        elif form.endswith("es") and form[:-2].endswith(("sh", "ch", "x", "ss")):
            forms.add(form[:-2])
        elif form.endswith("s") and not form.endswith("ss"):
            forms.add(form[:-1])
    return {f for f in forms if len(f) > 2}


def _find_name(text: str, names: dict[str, str]) -> tuple[str, str] | None:
    """The longest catalog name that appears as whole words in `text` (surface form, canonical)."""
    low = text.lower()
    for form in sorted(names, key=len, reverse=True):
        if re.search(rf"(?<![\w-]){re.escape(form)}(?:e?s)?(?![\w-])", low):
            return form, names[form]
    return None


@dataclass(frozen=True)
class Vocabulary:
    """The catalog's category, brand and product-type names (the old `Vocabulary.from_products`)."""

    categories: dict[str, str]
    brands: dict[str, str]
    types: dict[str, str]  # type surface form -> its one category

    @classmethod
    def from_products(cls, products: Iterable[Product]) -> Vocabulary:
        categories: dict[str, str] = {}
        brands: dict[str, str] = {}
        type_categories: dict[str, set[str]] = {}
        for p in products:
            if p.category:
                for form in _surface_forms(p.category):
                    categories.setdefault(form, p.category)
                kind = product_type(p)
                words = kind.split()
                last = _surface_forms(words[-1]) if len(words) > 1 and len(words[-1]) > 3 else set()
                for form in _surface_forms(kind) | last:
                    type_categories.setdefault(form, set()).add(p.category)
            if p.brand and len(p.brand) > 1:
                brands.setdefault(p.brand.lower(), p.brand)
        types = {form: next(iter(cats)) for form, cats in type_categories.items() if len(cats) == 1 and form not in categories}
        return cls(categories, brands, types)

    def strip_names(self, text: str) -> str:
        low = text.lower()
        for names in (self.types, self.categories, self.brands):
            for form in sorted(names, key=len, reverse=True):
                low = re.sub(rf"(?<![\w-]){re.escape(form)}(?:e?s)?(?![\w-])", " ", low)
        return " ".join(w for w in _NAME_WORD.findall(low) if w not in _NOT_SUBJECT)

    def names_something(self, text: str) -> bool:
        return any(_find_name(text, names) for names in (self.categories, self.brands, self.types))


def _amount(raw: str, whole: str) -> float:
    value = float(raw.replace(",", "")) if raw.count(",") != 1 or len(raw.split(",")[1]) == 3 else float(raw.replace(",", "."))
    return value * 1000 if re.search(rf"{re.escape(raw)}\s*k\b", whole, _I) else value


def parse_constraints(query: str, vocabulary: Vocabulary) -> SearchProducts:
    """The old `parse_constraints` as a search: `words` is the old query text (what was left to match), and
    `product_type` the type surface form that named the category (None when a category word did)."""
    text = " ".join(query.split())[:1000]
    price_min = price_max = None
    for pattern, kind in _PRICE_RULES:
        match = pattern.search(text)
        if not match:
            continue
        values = [_amount(g, match.group(0)) for g in match.groups() if g is not None]
        if kind == "range":
            price_min, price_max = min(values), max(values)
        elif kind == "max":
            price_max = values[0]
        elif kind == "min":
            price_min = values[0]
        else:  # around X: +-20 %
            price_min, price_max = round(values[0] * 0.8, 2), round(values[0] * 1.2, 2)
        text = (text[: match.start()] + " " + text[match.end():]).strip()
        if kind == "range":
            break
    in_stock = bool(_STOCK.search(text))
    text = GIFT.sub(" ", _STOCK.sub(" ", text))
    sort = "relevance"
    for pattern, kind in _SORTS:
        match = pattern.search(text)
        if match:
            sort, text = kind, (text[: match.start()] + " " + text[match.end():]).strip()
            break
    brand = category = kind_form = None
    found = _find_name(text, vocabulary.brands)
    if found:
        brand = found[1]
        text = re.sub(rf"(?<![\w-]){re.escape(found[0])}(?![\w-])", " ", text, flags=_I)
    subject = _SUBJECT_END.split(text, maxsplit=1)[0]
    for where, names in ((subject, vocabulary.categories), (subject, vocabulary.types), (text, vocabulary.categories),
                         (text, vocabulary.types)):
        if found := _find_name(where, names):
            category, kind_form = found[1], found[0] if names is vocabulary.types else None
            break
    text = _TRAILING_FILLER.sub("", " ".join(text.split()).strip(" ,.;:-?!")).strip(" ,.;:-?!")
    text = _LEAD.sub("", text).strip(" ,.;:-?!")
    if price_min is not None and price_max is not None and price_min > price_max:
        price_min, price_max = price_max, price_min
    return SearchProducts(text, category, kind_form, price_min, price_max, brands=(brand,) if brand else (),
                          in_stock=in_stock, sort=sort)


# == the old routes, as commands ===========================================================================
class RulesRouter:
    """The old `_understand` order of rules, each route mapped to the command it stood for."""

    def __init__(self, catalog: dict[str, Product], orders_of: Callable[[str], list[str]] | None = None) -> None:
        self.catalog = catalog
        self.orders_of = orders_of  # a shopper's order ids (the old router asked the order book whether an id exists)
        self.vocabulary = Vocabulary.from_products(catalog.values())

    def commands(self, message: str, state: SessionState, user_id: str | None = None) -> list[Command]:
        if state.pending is not None:  # the old turn read the message as the answer to our question first
            answer = self._answer_pending(message, state.pending.kind)
            if answer is not None:
                return [answer]
        return [self._route(message, state, user_id)]

    def _answer_pending(self, message: str, kind: str) -> Command | None:
        """The old `order_desk.confirm`: an address question takes only an address; otherwise NO, then YES."""
        if kind == "address":
            address = new_address(message)
            return OrderChange("address", OrderRef(which="this"), address) if address else None
        if NO.search(message):
            return Deny()
        return Confirm() if YES.search(message) else None

    def _route(self, message: str, state: SessionState, user_id: str | None) -> Command:
        if HANDOFF.search(message) and not _FOR_SOMEONE.search(message):
            return Handoff("person")
        if MONEY_TROUBLE.search(message):
            return Handoff("money")
        social, text = split_social(message)
        if RECOMMEND.search(message) and not RECOMMEND.search(text):
            social, text = None, message  # "what's new for me?" is no hello followed by "for me?"
        if social and not text:
            if social == "greeting":
                return Greet()
            return Bye() if _GOODBYE_ONLY.search(_THANKS.sub(" ", message)) else Thanks()
        if ABOUT_ME.search(text):
            return OutOfScope()
        if ACKNOWLEDGE.search(text):
            return Thanks()
        kind = order_kind(text)
        if (self._names_order(text, user_id) or MY_ORDER.search(text) or ORDER_POINTER.search(text)
                or (kind == "damaged" and RECEIVED.search(text)) or (ADDRESS.search(text) and len(text.split()) <= 14)
                or (MY_THING_COMING.search(text) and self.vocabulary.names_something(text))):
            return self._order(text, kind, state)
        if state.shown and self._follows_up(text, state):
            return self._follow_up(text, state) or self._search(text)  # the old desk searched what it could not answer
        if not state.shown and POINTS_BACK.search(text) and not self.vocabulary.names_something(text):
            return self._ask(text, []) or AskShown()  # about cards never shown: the old desk said so
        if RECOMMEND.search(text) and not self._names_a_thing(text):
            return Recommend()
        if GIFT.search(text) and not self.parse(text).words:
            return Recommend()  # "a present for my dad": picks, not a search
        if SHOPPING_FRAME.search(text) or self.vocabulary.names_something(text):
            return self._search(text)
        return OutOfScope()

    def parse(self, text: str) -> SearchProducts:
        return parse_constraints(text, self.vocabulary)

    def _search(self, text: str) -> SearchProducts:
        """The old search's filters; its query text was what retrieval matched, not the shopper's extra `words`."""
        return replace(self.parse(text), words="")

    def _names_order(self, text: str, user_id: str | None) -> bool:
        named = {m.upper() for m in ORDER_ID.findall(text)}
        if not named or self.orders_of is None or user_id is None:
            return bool(named)
        return bool(named & set(self.orders_of(user_id)))

    def _names_a_thing(self, text: str) -> bool:
        leftover = self.vocabulary.strip_names(RECOMMEND.sub(" ", text))
        return self.vocabulary.names_something(text) or any(w not in _NOTHING_NAMED for w in _PLAIN_WORD.findall(leftover.lower()))

    # -- orders (the old order desk's `_pick`) -----------------------------------------------------------------
    def _order(self, text: str, kind: str, state: SessionState) -> Command:
        email = EMAIL.search(text)
        email = email.group(0) if email else None
        named = ORDER_ID.findall(text)
        if named:  # an id decides the order: nothing else is read
            ref = OrderRef(order_id=named[0].upper(), email=email)
        else:
            words = [w for w in dict.fromkeys(_ITEM_WORD.findall(text.lower())) if w not in NOT_ITEM_WORDS]
            which = "this" if PRONOUN.search(text) and state.order_id else "previous" if _OLDER.search(text) else "latest"
            ref = OrderRef(item=" ".join(words) or None, which=which, email=email)
        if kind in ("cancel", "return", "address"):
            return OrderChange(kind, ref, new_address(text) if kind == "address" else None)
        return OrderIssue("damaged", ref) if kind == "damaged" else OrderStatus(ref, kind)

    # -- follow-ups on the cards shown (the old `_follows_up` and product desk) --------------------------------
    def _follows_up(self, text: str, state: SessionState) -> bool:
        if any(pattern.search(text) for _, pattern in SUPERLATIVE):
            return True
        parsed = self.parse(text)
        if parsed.category and parsed.category != (state.last_search.category if state.last_search else None):
            return False  # a new kind of thing: a new search
        if (ORDINAL.search(text) or PRONOUN.search(text)) and (ASKS_STOCK.search(text) or ASKS_PRICE.search(text)
                                                               or ASKS_DETAILS.search(text)):
            return True
        brand = parsed.brands[0] if parsed.brands else None
        return bool(REFINE.search(text) or (brand and not self._names_a_thing(text.replace(brand, ""))))

    def _follow_up(self, text: str, state: SessionState) -> Command | None:
        shown = [self.catalog[pid] for pid in state.shown if pid in self.catalog]
        if not shown:
            return (self._ask(text, shown) or AskShown()) if POINTS_BACK.search(text) else None
        return self._ask(text, shown) or self._refine(text, shown)

    def _ask(self, text: str, shown: list[Product]) -> AskShown | None:
        for about, pattern in SUPERLATIVE:
            if pattern.search(text) and not REFINE.search(text.replace("cheaper one", "")):
                return AskShown((about,))
        refs = _refs(text, shown)
        if refs is None:
            return None
        about = next((a for a, pattern in (("stock", ASKS_STOCK), ("price", ASKS_PRICE), ("details", ASKS_DETAILS))
                      if pattern.search(text)), None)
        return AskShown((about,), refs) if about else None

    def _refine(self, text: str, shown: list[Product]) -> Refine | None:
        """The old `_refine`: cheaper/pricier than the cards (no number said), more of them, or narrower."""
        if not REFINE.search(text) and not self.parse(text).brands:
            return None
        direction, wording = None, text
        if any(p.price is not None for p in shown) and not _DIGIT.search(text):
            if _CHEAPER.search(text):
                direction, wording = "cheaper", ""  # the old desk searched below the cheapest card instead
            elif _PRICIER.search(text):
                direction, wording = "pricier", ""
        if direction is None and _MORE.search(text):
            direction = "more"
        c = self.parse(_REFINE_FILLER.sub(" ", wording))
        return Refine(direction, price_min=c.price_min, price_max=c.price_max, brands=c.brands, in_stock=c.in_stock, sort=c.sort)


def _refs(text: str, shown: list[Product]) -> tuple[int, ...] | None:
    """The cards a question points at, 1-based (-1: the last); () for "it"/"them"; None when it points at none.
    With no cards shown an ordinal is taken as said (the old desk answered that none were shown)."""
    match = ORDINAL.search(text)
    if match:
        index = ORDINALS[match.group(1).lower()]
        return (index + 1 if index >= 0 else -1,) if not shown or -len(shown) <= index < len(shown) else None
    low = text.lower()
    named = tuple(n for n, p in enumerate(shown, 1) if p.title.lower() in low or " ".join(p.title.split()[:3]).lower() in low)
    return named or (() if PRONOUN.search(text) else None)
