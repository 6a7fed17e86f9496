"""How shoppers ask for things: frames, budgets, exclusions, references, refinements (written for variety).

Every bank is a dict of named groups. `HELD_OUT` names whole groups that only ever go to the held-out
command set, so its score measures phrasings the model never saw. Placeholders: {p} the product as the
shopper names it, {n} an amount, {b} a brand, {a} an attribute, {o} an ordinal phrase, {k} a count.
"""

from __future__ import annotations

# -- asking for a product ---------------------------------------------------------------------------------
FRAMES = {
    "bare": ("{p}", "{p}?", "{p} pls", "{p} please", "{p} !", "um {p}"),
    "do_you": ("do you have {p}", "do you sell {p}?", "do u have {p}", "got any {p}?", "any {p}?", "you guys sell {p}?",
               "do you carry {p}", "have you got {p}", "is there {p} in your shop", "do you stock {p}?"),
    "need": ("i need {p}", "i'm looking for {p}", "looking for {p}", "im after {p}", "i want {p}", "i'd like {p}",
             "searching for {p}", "in the market for {p}", "need {p} asap", "trying to find {p}", "i wanna buy {p}"),
    "show": ("show me {p}", "find me {p}", "can you show me {p}", "let me see {p}", "pull up {p}", "show {p}",
             "could you find {p} for me", "list {p}"),
    "suggest": ("can you recommend {p}", "what {p} would you suggest", "suggest {p}", "which {p} is good",
                "any recommendations for {p}?", "what's a good {p}", "got a favourite {p}?", "help me pick {p}"),
    "what_have": ("what {p} do you have", "what kind of {p} do you sell", "what are my options for {p}",
                  "whats available in {p}", "what sort of {p} have you got"),
    "wish": ("could do with {p}", "thinking about getting {p}", "i've been meaning to buy {p}", "time for {p}",
             "i fancy {p}", "been wanting {p} for ages"),
}
STORIES = {  # a reason before the request, as people write it
    "broke": ("my old one just broke", "mine died last week", "the one i have is totally worn out", "ours finally gave up",
              "the dog chewed mine", "i left mine on the train"),
    "move": ("we just moved into a new place", "setting up my first apartment", "redoing the spare room",
             "new house, nothing in it yet"),
    "event": ("going on a trip next month", "my birthday is coming up", "christmas is around the corner",
              "starting a new job on monday", "heading off to college soon", "got a wedding in two weeks"),
    "hobby": ("just started running", "getting into cooking lately", "trying to get fit this year", "we camp a lot",
              "i work from home now", "i travel for work a lot"),
    "chat": ("hi there", "hello there!", "hey", "good evening", "ok so", "quick question", "hi, hope you're well"),
}
GIFT = {
    "for_person": ("a gift for my {r}", "a present for my {r}", "something for my {r}", "birthday present for my {r}",
                   "gift idea for my {r}"),
    "loves": ("{s} loves {i}", "{s} is really into {i}", "{s} just got into {i}", "{s} is mad about {i}", "{s} likes {i}",
              "loves {i}", "{s} has taken up {i}"),
}
def pronoun(recipient: str) -> str:
    if recipient.split()[-1] in ("mom", "sister", "wife", "girlfriend", "daughter", "grandma", "aunt", "niece"):
        return "she"
    return "he" if recipient.split()[-1] in ("dad", "brother", "husband", "boyfriend", "son", "grandpa", "nephew") else "they"


RECIPIENTS = ("mom", "dad", "sister", "brother", "wife", "husband", "girlfriend", "boyfriend", "son", "daughter",
              "best friend", "grandma", "grandpa", "nephew", "niece", "boss", "coworker", "partner", "teenage son",
              "10 year old", "aunt", "roommate")

# -- budgets ---------------------------------------------------------------------------------------------
AMOUNTS = ("{n}", "${n}", "{n} dollars", "{n} bucks", "{n} usd", "{n}$", "$ {n}")
BUDGET_MAX = {
    "under": ("under {m}", "below {m}", "less than {m}", "for less than {m}", "cheaper than {m}", "under the {m} mark"),
    "no_more": ("no more than {m}", "nothing more than {m}", "not more than {m}", "not above {m}", "nothing above {m}",
                "nothing over {m}", "not over {m}"),
    "at_most": ("at most {m}", "max {m}", "{m} max", "up to {m}", "{m} tops", "maximum {m}", "{m} at the most"),
    "budget": ("my budget is {m}", "budget {m}", "i have {m} to spend", "got {m} to spend", "i can spend {m}",
               "budget's about {m} max", "on a {m} budget"),
    "limit": ("can't go above {m}", "don't want to spend more than {m}", "won't pay more than {m}",
              "{m} is my limit", "keep it under {m}", "shouldn't cost more than {m}", "nothing that costs over {m}"),
}
BUDGET_MIN = {
    "over": ("over {m}", "above {m}", "more than {m}", "at least {m}", "{m} or more", "from {m} up",
             "starting at {m}", "nothing under {m}", "not less than {m}", "{m} and up"),
}
BUDGET_RANGE = {
    "between": ("between {m} and {m2}", "from {m} to {m2}", "{m} to {m2}", "{m}-{m2}", "somewhere between {m} and {m2}",
                "in the {m}-{m2} range"),
}
BUDGET_AROUND = {
    "around": ("around {m}", "about {m}", "roughly {m}", "~{m}", "{m}ish", "for around {m}", "somewhere around {m}",
               "give or take {m}", "in the region of {m}", "close to {m}"),
}

# -- brands ----------------------------------------------------------------------------------------------
BRAND_ONLY = {
    "from": ("from {b}", "by {b}", "made by {b}", "{b} brand", "of the {b} brand"),
}
BRAND_NOT = {
    "not_from": ("but not from {b}", "not {b} though", "just not {b}", "no {b} please", "but no {b}",
                 "not made by {b}", "that aren't {b}", "other than {b}", "that aren't from {b}", "not from {b} please",
                 "without {b}", "not the {b} ones", "no {b} stuff", "nothing from {b}"),
    "anything_but": ("anything but {b}", "except {b}", "excluding {b}", "any brand except {b}", "skip {b}",
                     "leave out {b}", "avoid {b}"),
    "reason": ("not {b}, had a bad experience with them", "{b} always falls apart on me so not them",
               "i don't like {b}", "not {b}, their stuff never lasts", "{b} is a no for me"),
}

# -- attributes ------------------------------------------------------------------------------------------
QUALITIES = ("lightweight", "waterproof", "breathable", "bright", "quiet", "durable", "foldable", "machine washable",
             "hypoallergenic", "non-stick", "wireless", "rechargeable", "warm", "soft", "compact", "adjustable", "vegan",
             "eco-friendly", "water resistant", "easy to clean", "dishwasher safe", "sturdy", "portable", "cordless",
             "long battery life", "fast charging", "noise cancelling", "good grip", "padded", "insulated", "leather")
QUALITY_FRAMES = ("{a}", "that's {a}", "something {a}", "must be {a}", "it has to be {a}", "needs to be {a}", "{a} please",
                  "ideally {a}")
COLOUR_FRAMES = ("in {a}", "{a}", "in a {a} colour", "that come in {a}", "preferably {a}", "{a} if possible")
FEATURE_FRAMES = ("with {a}", "that has {a}", "with good {a}", "that have {a}", "{a} would be nice", "must have {a}")
USE_FRAMES = ("for {a}", "good for {a}", "to use for {a}", "that works for {a}", "ideal for {a}")

SORTS = {
    "price_asc": ("cheapest", "the cheapest", "cheap", "budget", "affordable", "inexpensive", "lowest priced",
                  "most affordable", "low cost"),
    "price_desc": ("most expensive", "the priciest", "top of the line", "high end", "premium", "best money can buy"),
    "rating": ("best rated", "top rated", "highest rated", "best reviewed", "best reviews", "most loved"),
}
STOCK = ("in stock", "that's in stock", "available now", "that ships today", "in stock right now", "available today")

# -- product words a shopper uses for a store's type (general English, not any one store's) ------------
SYNONYMS = {
    "sneakers": ("trainers", "kicks", "sneaks"), "t-shirt": ("tee", "tshirt", "t shirt", "tees"),
    "sofa": ("couch", "settee"), "duvet": ("comforter", "quilt", "doona"),
    "cast iron skillet": ("frying pan", "cast iron pan", "skillet", "iron skillet"),
    "down parka": ("parka", "winter coat", "puffer coat", "down coat"), "rain jacket": ("raincoat", "rain coat", "rain shell"),
    "trail runners": ("trail running shoes", "trail shoes"), "running shoes": ("runners", "running trainers", "jogging shoes"),
    "hiking boots": ("walking boots", "trekking boots", "hikers"), "wireless earbuds": ("earbuds", "earphones", "wireless earphones"),
    "over-ear headphones": ("over ear headphones", "over the ear headphones", "cans"),
    "noise-cancelling headphones": ("noise cancelling headphones", "anc headphones", "noise canceling headphones"),
    "studio headphones": ("monitoring headphones", "studio cans"), "sports earbuds": ("gym earbuds", "running earbuds"),
    "chromebook": ("chrome book",), "ultrabook": ("thin and light laptop", "slim laptop"),
    "2-in-1 laptop": ("2 in 1 laptop", "convertible laptop", "laptop that turns into a tablet"),
    "budget phone": ("cheap phone", "budget smartphone", "affordable phone", "basic phone"),
    "camera phone": ("phone with a great camera", "phone for photos"), "compact phone": ("small phone", "mini phone"),
    "vlogging camera": ("vlog camera", "camera for vlogging", "youtube camera"),
    "action camera": ("helmet cam", "sports camera", "waterproof action cam"), "instant camera": ("polaroid camera", "instant film camera"),
    "mirrorless camera": ("mirrorless", "interchangeable lens camera"), "webcam": ("web cam", "web camera", "camera for zoom calls"),
    "windbreaker": ("wind jacket", "wind breaker"), "fleece jacket": ("fleece", "fleece top"), "softshell jacket": ("softshell",),
    "summer dress": ("sundress", "summery dress"), "chino trousers": ("chinos", "chino pants"),
    "wool sweater": ("jumper", "wool jumper", "knit sweater"), "slim jeans": ("skinny jeans", "slim fit jeans"),
    "hoodie": ("hooded sweatshirt", "hoody"), "standing desk": ("stand up desk", "sit stand desk", "height adjustable desk"),
    "bookshelf": ("bookcase", "book shelf", "shelving unit"), "office chair": ("desk chair", "computer chair"),
    "coffee table": ("lounge table",), "bed frame": ("bed base", "bedframe"), "blender": ("smoothie maker",),
    "air fryer": ("airfryer", "air-fryer"), "stand mixer": ("kitchen mixer", "food mixer", "baking mixer"),
    "coffee maker": ("coffee machine", "drip coffee maker", "filter coffee machine"), "chef knife": ("kitchen knife", "chef's knife"),
    "throw blanket": ("throw", "sofa blanket", "cosy blanket"), "sheet set": ("bed sheets", "sheets"),
    "mattress topper": ("topper", "bed topper"), "pillow": ("pillows", "bed pillow"), "foam roller": ("massage roller",),
    "yoga mat": ("exercise mat", "workout mat"), "resistance bands": ("exercise bands", "workout bands", "stretch bands"),
    "adjustable dumbbells": ("dumbbells", "hand weights", "free weights"), "exercise bike": ("stationary bike", "spin bike", "indoor bike"),
    "fitness tracker": ("activity tracker", "step counter", "fitness band"), "electric toothbrush": ("toothbrush", "electric tooth brush"),
    "beard trimmer": ("trimmer", "beard clippers"), "hair dryer": ("hairdryer", "blow dryer", "hair drier"),
    "sunscreen": ("sun cream", "suncream", "sunblock", "spf"), "moisturizer": ("moisturiser", "face cream", "day cream"),
    "vitamin C serum": ("vitamin c serum", "face serum", "serum"), "plush toy": ("stuffed animal", "soft toy", "teddy", "cuddly toy"),
    "jigsaw puzzle": ("puzzle", "jigsaw"), "board game": ("family game", "tabletop game"),
    "building blocks set": ("building blocks", "construction set", "brick set"), "remote control car": ("rc car", "remote car"),
    "science kit": ("science set", "experiment kit", "chemistry set"), "headlamp": ("head torch", "head lamp"),
    "camping stove": ("camp stove", "portable stove", "gas stove for camping"), "hiking backpack": ("hiking pack", "rucksack", "backpack"),
    "sleeping bag": ("sleeping bags",), "insulated water bottle": ("water bottle", "thermos", "flask", "insulated bottle"),
    "tent": ("tents",), "smartphone": ("phone", "mobile", "cell phone"), "sandals": ("sliders",),
    "business laptop": ("work laptop", "laptop for work"), "gaming laptop": ("laptop for gaming",),
}

# -- refining the last search ----------------------------------------------------------------------------
REFINE = {
    "cheaper": {"plain": ("anything cheaper?", "cheaper ones?", "something cheaper", "cheaper ones please", "any cheaper options",
                          "got anything less expensive", "less pricey?", "those are a bit much, cheaper?"),
                "held": ("too expensive for me", "way out of my price range", "something that won't break the bank",
                         "do you have lower priced ones")},
    "pricier": {"plain": ("something more premium", "higher end ones?", "better quality ones", "anything fancier?",
                          "show me the more expensive ones", "i can spend more, what's better"),
                "held": ("money's no object, what's the best", "upgrade options?")},
    "more": {"plain": ("more options?", "what else do you have", "show me more", "any others?", "other ones?",
                       "anything else?", "more like these", "next ones"),
             "held": ("keep going", "not loving these, other options?", "what else is there")},
    "other_brand": {"plain": ("different brand?", "other brands?", "another brand please", "any other brands"),
                    "held": ("not keen on that brand, others?",)},
}
REFINE_BRAND = {"plain": ("only {b}", "just {b} ones", "{b} only please", "what about from {b}", "any from {b}?",
                          "show me the {b} ones"),
                "held": ("do you have those from {b}", "stick to {b}")}
REFINE_NOT_BRAND = {"plain": ("not {b}", "no {b} please", "anything but {b}", "drop the {b} ones", "without {b}"),
                    "held": ("hide {b}", "i'd rather not have {b}")}
REFINE_ATTR = {"plain": ("in {a}?", "do they come in {a}", "any in {a}", "{a} ones?", "any with {a}?", "the ones with {a}",
                         "with {a} please"),
               "held": ("got a {a} one?", "only {a} please")}
REFINE_BUDGET = {"plain": ("under {m}?", "anything below {m}", "what about under {m}", "any under {m}", "less than {m}?",
                           "something below {m}"),
                 "correct": ("no wait, i meant under {m}", "sorry, budget is {m}", "oops i meant {m} max",
                             "actually make that under {m}", "i meant below {m} sorry"),
                 "held": ("my mistake, it should be under {m}", "hmm can we stay under {m}")}
REFINE_WORDS = {"plain": ("for {k} people", "one that fits {k}", "something for {u}", "a bigger one", "a smaller one",
                          "a lighter one", "one for {u}?"),
                "held": ("enough room for {k}", "need it to work for {u}")}
REFINE_SORT = {"price_asc": ("sort by price", "cheapest first", "lowest price first please", "order them by price",
                             "show the cheap ones first"),
               "price_desc": ("most expensive first", "sort by price, highest first", "priciest first"),
               "rating": ("sort by rating", "best rated first", "top rated first please", "order by reviews",
                          "show the best reviewed first")}
REFINE_AROUND = ("around {m}?", "something around {m}", "about {m} would be good", "closer to {m}", "more like {m}",
                 "i meant around {m}", "roughly {m} please")
REFINE_MIN = ("over {m}", "above {m} please", "at least {m}", "nothing under {m}", "something over {m}, better quality",
              "{m} or more")
REFINE_STOCK = ("only ones in stock", "just show what's in stock", "in stock only please", "only available ones")

# Things shoppers ask for that a store may not sell: a search for the words alone, so the search can say so.
OTHER_THINGS = ("kayak", "scented candles", "sunglasses", "electric scooter", "guitar", "umbrella", "wristwatch", "wallet",
                "perfume", "floor lamp", "rug", "curtains", "drone", "printer", "computer monitor", "mechanical keyboard",
                "gaming mouse", "bike helmet", "golf clubs", "fishing rod", "garden hose", "lawn mower", "vacuum cleaner",
                "microwave", "toaster", "dishwasher", "washing machine", "car seat", "stroller", "dog bed", "cat tree",
                "aquarium", "paint brushes", "sewing machine", "ski goggles", "snowboard", "surfboard", "tennis racket",
                "basketball", "skateboard", "swimsuit", "wedding dress", "tuxedo", "necklace", "earrings", "handbag",
                "suitcase", "picture frames", "wall clock", "shower curtain", "towels", "bath mat", "kettle", "wine glasses",
                "dinner plates", "blu-ray player", "projector", "smart speaker", "e-reader", "graphics card", "phone case")
