"""How shoppers ask about the cards shown, their orders and the store's rules; yes and no; hello and bye.

Banks are dicts of named groups; `held` groups only ever go to the held-out command set. Placeholders:
{o} an ordinal phrase, {o2} a second one, {a} a feature, {b} a brand, {x} an item word, {id} an order id,
{e} an e-mail, {addr} an address.
"""

from __future__ import annotations

ORDINALS = {
    1: ("the first one", "the first", "the 1st one", "#1", "number 1", "the top one", "option 1", "the first pair"),
    2: ("the second one", "the second", "the 2nd one", "#2", "number 2", "option 2", "the second pair"),
    3: ("the third one", "the third", "the 3rd one", "#3", "number 3", "option 3"),
    4: ("the fourth one", "the fourth", "the 4th one", "#4", "option 4"),
    -1: ("the last one", "the last", "the bottom one"),
}
ASK = {
    "attribute": {"plain": ("does {o} have {a}?", "does {o} come with {a}", "is there {a} on {o}?", "{o} - does it have {a}?",
                            "does it have {a}?", "has {o} got {a}", "do you know if {o} has {a}", "any {a} on {o}?"),
                  "held": ("quick q, {a} on {o}?", "would {o} have {a} by any chance")},
    "attribute_is": {"plain": ("is {o} {a}?", "is it {a}?", "is {o} {a} or not", "would you say {o} is {a}"),
                     "held": ("how {a} is {o}",)},
    "compare": {"plain": ("compare {o} and {o2}", "what's the difference between {o} and {o2}", "{o} vs {o2}?",
                          "how does {o} compare to {o2}", "compare the top two", "which is better, {o} or {o2}"),
                "held": ("help me choose between {o} and {o2}",)},
    "best_rated": {"plain": ("which one has the best reviews", "which is rated highest", "which one do people like most",
                             "top rated one?", "which has the best rating", "what's the best reviewed of these",
                             "which {t} gets the best reviews", "best rated {t} out of those?"),
                   "held": ("which would other buyers pick",)},
    "cheapest": {"plain": ("which of them is cheapest", "which is the least expensive", "what's the cheapest of those",
                           "lowest price one?", "which costs the least", "which {t} is the cheapest", "and the cheapest {t} there?",
                           "which of the {t}s costs less"),
                 "held": ("which is easiest on the wallet",)},
    "priciest": {"plain": ("which one is the most expensive", "what's the priciest one", "which costs the most",
                           "which {t} is the most expensive"),
                 "held": ("which is the fanciest",)},
    "price": {"plain": ("how much is {o}", "price of {o}?", "what does {o} cost", "how much for {o}", "what's {o} going for"),
              "held": ("what would {o} set me back",)},
    "stock": {"plain": ("is {o} in stock", "do you have {o} in stock", "is {o} available", "can i get {o} right now",
                        "is that one in stock?", "any stock of {o}?"),
              "held": ("is {o} sold out",)},
    "details": {"plain": ("tell me more about {o}", "more info on {o}", "what's {o} like", "details on {o} please",
                          "can you describe {o}", "what can you tell me about {o}"),
                "held": ("give me the rundown on {o}",)},
}
# Questions about a measure or a property: (template, the attribute slot)
PROPERTY_ASKS = (("how heavy is {o}", "weight"), ("what does {o} weigh", "weight"), ("how big is {o}", "size"),
                 ("what size is {o}", "size"), ("what's the capacity of {o}", "capacity"), ("how much does {o} hold", "capacity"),
                 ("how long does the battery last on {o}", "battery"), ("what's the battery life of {o}", "battery life"),
                 ("how much storage does {o} have", "storage"), ("what's the warranty on {o}", "warranty"),
                 ("what is {o} made of", "material"), ("what colour is {o}", "colour"), ("what are the dimensions of {o}", "dimensions"),
                 ("how big is the screen on {o}", "screen"), ("how much memory does {o} have", "memory"),
                 ("what age is {o} for", "age"), ("how many pieces does {o} have", "pieces"), ("is {o} machine washable", "machine washable"),
                 ("how loud is {o}", "noise"), ("how warm is {o}", "warm"))
WHICH_HAS = ("which one has {a}", "which of them has {a}", "do any of them have {a}", "any of these with {a}?",
             "which ones come with {a}")
ASK_TWO = ("{q1} and {q2}", "{q1}? also {q2}", "{q1}, and {q2}?", "{q1}. {q2}")

# -- orders ------------------------------------------------------------------------------------------------
ORDER_STATUS = {
    "status": {"plain": ("where is my order at", "where is my {x}", "has my {x} shipped?", "is my {x} on its way",
                         "any update on my {x}?", "what's happening with my order", "track my order please",
                         "status of my {x} order?", "did my {x} ship yet", "is my order still coming?"),
               "held": ("still waiting on my {x}, any news?", "what's the hold up with my {x}")},
    "date": {"plain": ("when will my {x} arrive?", "when will my stuff get here", "what day did my last order arrive",
                       "when was my {x} delivered", "how long until my {x} shows up", "what day will my order come"),
             "held": ("eta on my {x}?",)},
    "items": {"plain": ("what did i order last time?", "what was in that last order of mine", "what's in my order",
                        "remind me what i bought", "which items were in my last order"),
              "held": ("what did i get from you last",)},
    "return_status": {"plain": ("any update about my return?", "did you get my return", "where are you with my return",
                                "has my return been processed", "where's my refund for the {x}"),
                      "held": ("is my returned {x} back with you yet",)},
}
ORDER_PREVIOUS = ("the order before that", "my previous order", "the one before my last order", "my earlier order")
ORDER_CHANGE = {
    "cancel": {"plain": ("please cancel my order", "i want to cancel my {x} order", "can you cancel the {x}",
                         "please cancel the order with the {x}", "i need to cancel my order", "cancel it",
                         "can i still cancel my {x}?", "i ordered the {x} by accident, cancel please",
                         "thinking about cancelling my {x}"),
               "held": ("scrap my {x} order", "i don't need the {x} anymore, stop the order")},
    "return": {"plain": ("i want to return my {x}", "how do i send back my {x}", "i'd like to return the {x}",
                         "can i return my last order", "the {x} doesn't fit, i want to send it back",
                         "start a return for my {x}", "i might return the {x}", "return the {x} please"),
               "held": ("the {x} isn't for me, can it go back", "i'm not keeping the {x}")},
    "address": {"plain": ("can you ship my order to {addr} instead", "change my delivery address to {addr}",
                          "please send my {x} to {addr}", "i moved, new address is {addr}",
                          "can i change where my order is delivered", "i need to change the shipping address"),
                "held": ("deliver the {x} to {addr} please, not my home", "update the address on my order to {addr}")},
}
ORDER_ISSUE = {
    "damaged": {"plain": ("my {x} arrived broken", "the {x} i got is damaged", "my {x} stopped working",
                          "the {x} doesn't work", "my {x} came with a crack", "the {x} is faulty"),
                "held": ("the {x} packed in after a week", "got my {x} and it's busted")},
    "wrong_item": {"plain": ("i got the wrong item instead of my {x}", "you sent me the wrong {x}", "this isn't the {x} i ordered"),
                   "held": ("the box had something else, not my {x}",)},
    "missing": {"plain": ("my {x} never arrived", "the {x} was missing from my package", "it says delivered but no {x}"),
                "held": ("no sign of my {x} anywhere",)},
}
GUEST = ("where's order {id}? my email is {e}", "order {id}, email {e}, has it shipped?", "{id} / {e} - status please",
         "can you check order {id}, it's under {e}", "tracking for {id}? email {e}")
ADDRESSES = ("12 Oak Street, Denver, CO 80203", "48 Maple Avenue, Portland, OR 97205", "7 Harbour Road, Boston, MA 02110",
             "301 Pine Lane, Apt 4B, Chicago, IL 60614", "95 Cedar Drive, Austin, TX 78704", "18 Birch Close, Seattle, WA 98101",
             "220 River Road, Miami, FL 33130", "5 Willow Way, Nashville, TN 37203", "66 King Street, Toronto, ON M5H 1A1",
             "14 Elmwood Court, Phoenix, AZ 85004", "402 Lake Shore Blvd, Cleveland, OH 44114",
             "Flat 3, 27 Queen's Road, Bristol BS8 1QE", "88 Rue Lafayette, 75009 Paris", "Hauptstrasse 12, 10115 Berlin",
             "Unit 5, 140 George St, Sydney NSW 2000", "1601 Market St Suite 200, Philadelphia PA 19103",
             "33 Beacon Hill Rd, Apt 2, Dallas, Texas 75201", "7 Oakwood Drive, Leeds LS6 2DF", "250 Elm Avenue, Vancouver BC V6B 2K3")
ADDRESS_CHATTER = ("", "", " please", " thanks", " - i'm away that week", " since i'm at my office then", ", it's my sister's place")

# -- answers to a question the assistant asked -------------------------------------------------------------
YES = {"plain": ("yes", "yes please", "yep", "yeah go ahead", "sure", "okay do it", "please do", "go for it", "correct",
                 "yes, cancel the order", "yup, return it", "that's right, go ahead", "absolutely", "yes that one", "ok fine go ahead",
                 "alright do it", "confirm", "sounds good, go ahead"),
       "held": ("10-4, proceed", "affirmative", "yeah why not, do it")}
NO = {"plain": ("no", "no thanks", "nope", "don't", "wait", "hold on", "actually no", "never mind", "forget it",
                "please don't cancel it", "no don't do that", "i changed my mind, keep it", "leave it as it is",
                "not yet", "no, i'll keep it", "stop, don't", "hmm no", "wait don't return it"),
      "held": ("scratch that, leave the order alone", "on second thought no")}

# -- social ------------------------------------------------------------------------------------------------
THANKS = ("thanks", "thank you", "thx", "cheers", "great, thanks", "perfect thank you", "ok cool", "awesome", "got it",
          "ok", "cool", "nice one", "appreciate it", "that helps", "great")
BYE = ("bye", "goodbye", "see you", "that's all, thanks", "thank you and goodbye", "thanks, bye", "have a good day",
       "i'm done, cheers", "later", "that's everything")
PERSON = ("i want to talk to a human", "can i speak to a real person", "get me an agent", "connect me to customer service",
          "i need a manager", "is there a person i can talk to", "transfer me to support", "can someone call me",
          "let me talk to someone real", "human please", "i'd like a phone call from your support team",
          "you're useless, get me a person")
MONEY = ("i was charged twice", "you took my money but i have no order", "my refund never arrived",
         "there are two payments for one order on my card", "my bank shows a duplicate payment to you",
         "the refund you promised still isn't in my account", "money left my account but the order failed",
         "i got charged for a cancelled order", "please give me back the extra charge", "i paid twice by mistake",
         "there's a charge i don't recognise from you", "i paid but the order disappeared", "you billed me twice for one order",
         "still no refund after three weeks", "my card was charged for an order i cancelled")
UNCLEAR = ("asdfgh", "???", "hmm", "the thing", "what", "blue", "idk", "k", "...", "huh")

# -- composed answers: a head, a core and a tail, so yes, no, hello and thanks come in hundreds of forms ------
YES_CORES = ("yes", "yeah", "yep", "yup", "sure", "ok", "okay", "alright", "fine", "please do", "go ahead", "do it",
             "go for it", "correct", "right", "absolutely", "definitely", "of course", "sounds good", "that's fine",
             "perfect", "yes please", "sure thing", "please", "ya", "yea", "certainly", "i'm sure", "that's correct",
             "confirmed", "affirmative", "let's do it", "proceed")
YES_TAILS = {"any": ("", "", "", "!", " please", ", thanks", " thank you", ", go ahead", ", do it", " - go on", ", that's what i want",
                     ", asap", " :)", ", that's the one", ", proceed"),
             "cancel": (", cancel it", ", cancel the order", " - please cancel", ", go ahead and cancel it", ", i don't need it anymore"),
             "return": (", start the return", ", return it", ", i want to send it back", ", set up the return"),
             "address": (", change the address", ", update it", ", send it there", ", use that address", ", ship it there")}
NO_CORES = ("no", "nope", "nah", "not now", "no thanks", "wait", "hold on", "hang on", "stop", "don't", "actually no",
            "never mind", "nevermind", "forget it", "leave it", "not yet", "let me think", "maybe later", "on second thought, no",
            "no no", "please don't", "don't do that", "scratch that", "no wait", "not so fast", "i changed my mind",
            "let's not", "hmm, no", "no, not now")
NO_TAILS = {"any": ("", "", "", "!", ", thanks", " for now", ", let me think about it", ", i'll decide later", ", leave it as it is",
                    " please", " - i need to check something first"),
            "cancel": (", don't cancel it", ", keep the order", ", i still want it", ", i'll keep it", ", leave the order alone"),
            "return": (", i'll keep it", ", don't start a return", ", i want to keep it after all", ", no return"),
            "address": (", keep the old address", ", don't change it", ", leave the address as it is")}
GREET_CORES = ("hi", "hello", "hey", "hiya", "howdy", "good morning", "good afternoon", "good evening", "morning", "evening",
               "greetings", "yo", "hey there", "hello there", "hi there", "heya", "hey hey", "hi hi", "g'day", "hallo")
GREET_TAILS = ("", "", "!", " :)", " team", " folks", ", how are you?", ", how's it going?", ", anyone there?",
               ", is this the shop's assistant?", ", nice to meet you", ", hope you're well", " again", ", i'm back",
               ", hows your day", " shop assistant", " bot")
THANKS_CORES = ("thanks", "thank you", "thx", "ty", "cheers", "many thanks", "thanks a lot", "thank you so much", "much appreciated",
                "appreciate it", "great, thanks", "perfect, thanks", "awesome, thank you", "cool thanks", "brilliant, cheers",
                "lovely, thanks", "ok thanks", "nice one", "that's great", "super helpful", "thanks a bunch", "ta", "got it, thanks",
                "ok", "cool", "great", "nice", "okay cool", "alright")
THANKS_TAILS = ("", "", "!", " :)", " for your help", ", that helps", ", that's what i needed", ", you've been great",
                " for the info", ", good to know", " so much")
BYE_CORES = ("bye", "goodbye", "see you", "see ya", "later", "take care", "have a good day", "have a nice evening",
             "that's all for today", "i'm done here", "gotta go", "talk later", "ciao", "good night", "catch you later",
             "bye for now", "i'm off", "that's everything", "all done, bye", "ok bye", "thanks, bye", "thank you, see you")
BYE_TAILS = ("", "", "!", " :)", ", thanks again", ", have a good one", ", take care")
RECOMMEND_CORES = ("what would you recommend", "recommend something", "any suggestions", "surprise me", "what's popular",
                   "what's trending", "show me your bestsellers", "what do people buy", "i need ideas", "show me something good",
                   "what should i buy", "anything good today", "what's new", "show me something cool", "choose something",
                   "help me find something", "i don't know what to get", "inspire me", "what are your top picks",
                   "what's hot right now", "got any ideas", "i want something but don't know what", "what's worth buying",
                   "show me some nice stuff", "any good deals on popular stuff")
RECOMMEND_TAILS = ("", "", "?", " for me", " please", " today", " for me to buy", ", i'm just browsing", " - anything really")
