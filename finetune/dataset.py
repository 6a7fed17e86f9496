"""Training data for the LoRA adapter: intent labels and grounded store dialogues.

    shopassist finetune build-data --out runs/data      # seeded; writes a manifest.json

Intents come from real sources (Bitext, Banking77 rows mapped to our taxonomy, WANDS queries)
plus hand-written greetings, goodbyes and varied out-of-scope requests. Dialogues are built
over the demo store with `assistant.prompt.build_prompt`, so training prompts are exactly the
serving prompts, with real retrieved products, the policy documents and customer views.
Held-out rows are chosen by source (a block of Bitext seeds, whole WANDS query classes,
whole out-of-scope topics, whole catalog categories), never by random row, and every text of
`intents_dev_real.csv` is excluded from training.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.errors import BadInput
from assistant.intent import INTENTS, OUT_OF_SCOPE
from assistant.types import Product
from assistant.settings import DEMO_DIR, REPO_ROOT

DATASETS_DIR = REPO_ROOT.parent / "shared" / "datasets"

# Banking77 -> our taxonomy (the mapping `intents_dev_real.csv` uses, datasets/README.md).
BANKING_MAP = {
    "request_refund": "get_refund", "Refund_not_showing_up": "track_refund",
    "edit_personal_details": "edit_account", "terminate_account": "delete_account",
    "passcode_forgotten": "recover_password", "declined_card_payment": "payment_issue",
    "supported_cards_and_currencies": "check_payment_methods", "visa_or_mastercard": "check_payment_methods",
    "card_arrival": "track_order", "card_delivery_estimate": "delivery_period",
}
# Banking77 intents no shop handles; close cousins of shop intents (declined transfers,
# card not working, ...) are left out so "banking wording" does not become "out of scope".
BANKING_OOS = (
    "exchange_rate", "atm_support", "top_up_limits", "cash_withdrawal_charge", "change_pin",
    "transfer_timing", "age_limit", "receiving_money", "exchange_via_app", "fiat_currency_support",
    "lost_or_stolen_phone", "get_disposable_virtual_card", "verify_source_of_funds", "pin_blocked",
)

# Out-of-scope topics written for variety (weather, travel, music, ...). Whole topics are
# held out, so the held-out score measures topics never seen in training.
OOS_TOPICS: dict[str, tuple[str, ...]] = {
    "weather": ("what's the weather like tomorrow", "will it rain in Chicago this weekend", "how cold is it outside right now", "is there a storm warning for tonight", "what's the forecast for Paris next week"),
    "travel": ("book me a flight to Denver", "what's a good hotel near the Eiffel Tower", "do I need a visa to visit Japan", "how long is the train ride from Boston to New York", "find me a cheap car rental in Miami"),
    "music": ("play some jazz", "who sang bohemian rhapsody", "put on my workout playlist", "skip this song", "what's the top song on the charts this week"),
    "cooking": ("how long do I boil an egg", "give me a recipe for lasagna", "what can I substitute for buttermilk", "how do I make sourdough starter", "what temperature should chicken be cooked to"),
    "trivia": ("who was the first president of the united states", "how tall is mount everest", "what is the capital of australia", "how many moons does jupiter have", "when did world war two end"),
    "math": ("what is 17 times 23", "convert 5 miles to kilometers", "what's the square root of 144", "how many ounces are in a cup", "solve 3x plus 5 equals 20"),
    "smalltalk": ("tell me a joke", "what's your favorite color", "are you a robot", "do you have feelings", "what's the meaning of life"),
    "health": ("what are the symptoms of the flu", "how much water should I drink a day", "is ibuprofen safe with coffee", "book a doctor's appointment for me", "how many calories are in an apple"),
    "finance": ("what's the stock price of apple", "how do I file my taxes", "should I invest in bitcoin", "what's my credit score", "what is the current mortgage rate"),
    "car": ("when is my car due for an oil change", "how do I check my tire pressure", "what does the check engine light mean", "schedule a car wash", "how much gas does my car have"),
    "reminders": ("set an alarm for 6 am", "remind me to call mom tomorrow", "add dentist to my calendar on friday", "set a timer for ten minutes", "what's on my schedule today"),
    "sports": ("who won the game last night", "when does the world cup start", "what's the score of the lakers game", "how many points did messi score this season", "who is the best tennis player ever"),
    "language": ("how do you say thank you in french", "translate good morning to spanish", "what does ubiquitous mean", "spell necessary", "what's a synonym for happy"),
    "home": ("turn off the living room lights", "set the thermostat to 70 degrees", "lock the front door", "is the garage door open", "start the robot vacuum"),
    "news": ("what's in the news today", "who won the election", "any updates on the hurricane", "read me the headlines", "what happened in the stock market today"),
    "jobs": ("help me write my resume", "how do I ask for a raise", "what jobs are hiring near me", "how many vacation days do I have left", "when is my next payday"),
    # More topics and phrasings (issue 5): a store assistant meets every kind of stray request.
    "time": ("what time is it in tokyo", "what's today's date", "what day of the week is it", "how many days until christmas", "what time zone is london in", "is it daylight saving time now"),
    "games": ("flip a coin for me", "roll a six sided die", "pick a random number between 1 and 10", "let's play a game", "tell me a riddle", "who would win in a fight, a lion or a tiger"),
    "meta": ("what's your name", "who made you", "can I call you jarvis", "switch your language to german", "how old are you", "what can you not do"),
    "movies": ("what movies are playing tonight", "recommend a good tv series to binge", "who directed inception", "when does the new marvel film come out", "is the book better than the movie"),
    "pets": ("how often should I feed my puppy", "why is my cat sneezing", "what vaccines does a kitten need", "how do I stop my dog barking at night", "can rabbits eat carrots"),
    "school": ("help me with my chemistry homework", "when is the deadline for college applications", "explain photosynthesis", "what's a good topic for my essay", "how do I cite a website in apa"),
    "banking": ("what's the interest rate on my savings account", "how do I transfer money to my brother", "what is my bank balance", "what is my routing number", "when is my loan payment due", "how do I open a checking account"),
    "travel_plans": ("what's the best time to visit iceland", "how early should I get to the airport", "is my flight on time", "where can I exchange currency at the airport", "rent a bike in amsterdam"),
    "tech": ("my wifi keeps dropping", "how do I update my laptop's operating system", "why is my phone battery draining so fast", "how do I take a screenshot on windows", "reset my router"),
    "people": ("call my sister", "text john that I'm running late", "what's my friend's birthday", "send an email to my boss", "share my location with my wife"),
    "gardening": ("when should I plant tomatoes", "how often do I water a cactus", "why are my rose leaves turning yellow", "what grows well in shade"),
    "creative": ("write a haiku about autumn", "compose a limerick about my boss", "draft a toast for my sister's wedding",
                 "write a short story about a dragon", "make up a song about pizza", "give me a rhyme for orange"),
    "errands": ("order me a pizza for delivery", "book a table for two at an italian place", "buy tickets for the concert on friday",
                "reserve a hotel room in denver", "hire a plumber for tomorrow", "get me a taxi to the station"),
    # Everyday questions an assistant hears that no shop answers (issue 14: written for variety, not from the dev set).
    "facts": ("who invented the telephone", "what is the population of canada", "how far away is the moon",
              "what's the tallest building in the world", "who wrote pride and prejudice", "what year did the titanic sink"),
    "nutrition": ("how many calories are in a slice of pizza", "is coffee bad for your heart", "how much protein is in an egg",
                  "is it safe to eat raw cookie dough", "how much sugar is in a can of soda"),
    "todo": ("add milk to my grocery list", "what's on my to do list today", "remind me to water the plants",
             "did I schedule anything for friday", "clear all my reminders", "read my notes back to me"),
    "restaurants": ("find a good sushi place nearby", "is the thai restaurant on main street open now",
                    "make a dinner reservation for four at seven", "what's the best burger joint in town"),
    "travel_info": ("what currency do they use in japan", "what's the time difference with sydney",
                    "is it safe to travel to egypt right now", "what should I see in lisbon", "how do I get a travel visa for india"),
    "science": ("why is the sky blue", "how do black holes form", "when did the roman empire fall", "what is dna made of",
                "how does a rainbow form", "what's the speed of light"),
    "opinions": ("what's your opinion on politics", "who will win the next election", "is pineapple on pizza acceptable",
                 "what's the best movie ever made", "are cats better than dogs"),
    "words": ("how do you spell restaurant", "what does serendipity mean", "give me a word that rhymes with cat",
              "is it affect or effect", "what's the plural of cactus"),
    "government": ("how do I renew my passport", "what's the speed limit on the highway", "how do I register to vote",
                   "can my landlord raise the rent", "when are taxes due this year"),
    "transport": ("how's the traffic on the way to work", "when is the next bus downtown", "find a parking spot near the stadium", "how far is it to the nearest gas station", "get me an uber to the airport"),
}
OOS_HELDOUT_TOPICS = ("sports", "language", "home", "news", "jobs", "pets", "transport")

GREETINGS = ("hi", "hello", "hey", "hey there", "hello there", "good morning", "good afternoon", "good evening",
             "hi, how are you?", "hiya", "howdy", "yo", "hello, anyone there?", "hi! i need some help",
             "greetings", "morning!", "hey, how's it going", "hi there, nice to meet you", "what's up", "hello assistant",
             "hi, is anyone there", "good day", "hey, hi", "hello, how are you doing today", "hi, I have a question",
             "hey bot", "hello friend", "sup", "heya", "hi again", "how are things", "nice to meet you", "hello, can you hear me",
             "hey, good morning", "evening", "hi hi", "hey hey", "yo what's good", "hello hello", "hi bot",
             "good evening assistant", "how's your day going", "how have you been", "hey, you there?", "hola",
             "what's happening", "howdy there", "g'day", "hey buddy", "hi friend, how are things", "hello, is this the shop?")
GOODBYES = ("bye", "goodbye", "thanks, that's all", "thank you so much", "see you later", "cheers, bye",
            "have a nice day", "thanks for the help", "that's everything, goodbye", "ok thanks bye", "talk to you later",
            "thank you!", "thanks a lot", "i appreciate your help", "great, thank you", "bye for now", "that is all for today",
            "thanks, you've been very helpful", "see ya", "many thanks",
            "thank you very much", "thanks!", "thx", "that helped, thanks", "appreciate it", "thanks a bunch", "good night",
            "catch you later", "farewell", "i'm done, bye", "that's all I needed", "thanks for your time", "take care",
            "you've been a great help", "ok, that's it for now", "talk soon", "bye bye", "thanks again", "have a good one",
            "cheers", "i'm grateful for your help", "you've been a star", "cheers mate", "much obliged",
            "nice chatting with you", "until we meet again", "that was helpful, bye now", "take it easy", "ciao", "adios",
            "thanks a million", "you rock, thanks", "that's all i needed, thank you", "have a good night",
            "great chat, see ya", "thank you kindly", "appreciate the help", "you helped a lot", "glad you could help",
            "it was nice talking to you", "i'm very thankful")
FILLERS = {"Order Number": lambda r: f"{r.randint(100000, 999999)}", "Invoice Number": lambda r: f"INV-{r.randint(10000, 99999)}",
           "Refund Amount": lambda r: f"${r.randint(10, 400)}", "Account Type": lambda r: r.choice(["premium", "standard", "business"]),
           "Person Name": lambda r: r.choice(["Maria Lopez", "James Chen", "Aisha Khan"]), "Currency Symbol": lambda r: "$"}


@dataclass
class DataConfig:
    datasets_dir: Path = DATASETS_DIR
    seed: int = 13
    bitext_per_intent: int = 70  # training rows per Bitext intent (the rest of the train block is unused)
    bitext_heldout_fraction: float = 0.15  # last block of each intent (later seed texts) is held out
    banking_per_intent: int = 130  # real Banking77 rows per mapped intent (about all that is left after the dev set)
    banking_heldout_per_category: int = 15  # real Banking77 rows per mapped category kept out (fusion-weight selection)
    banking_oos: int = 200  # Banking77 rows from intents no shop handles
    wands_heldout_classes: int = 60  # whole WANDS query classes (of 189) kept out: the held-out shopping queries
    wands_train: int = 330  # real product queries in training (about all of the other classes)
    catalog: Path = DEMO_DIR / "catalog.jsonl"  # the store's catalog: its products make more shopping queries
    catalog_queries_per_product: int = 1  # generated asks per product (finetune/shopping.py)
    unseen_catalog: Path = DATASETS_DIR / "abt_buy" / "abt.csv"  # a catalog never trained on: its queries are held out
    dialogues: int = 80  # grounded assistant turns for training (+ a held-out set by source); long, so they dominate the token budget

    def __post_init__(self) -> None:
        if not 0 < self.bitext_heldout_fraction < 1:
            raise ValueError("bitext_heldout_fraction must be in (0, 1)")
        if min(self.bitext_per_intent, self.banking_per_intent, self.dialogues) < 1 or self.banking_heldout_per_category < 0:
            raise ValueError("per-source counts must be >= 1")


@dataclass
class BuiltData:
    out: Path
    counts: dict[str, int] = field(default_factory=dict)


def fill_placeholders(text: str, rng: random.Random) -> str:
    """Bitext's `{{Order Number}}`-style slots become realistic values."""
    return re.sub(r"\{\{\s*([^}]+?)\s*\}\}", lambda m: FILLERS.get(m.group(1), lambda r: str(r.randint(1000, 9999)))(rng), text)


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def read_table(path: Path, columns: tuple[str, ...], *, delimiter: str = ",") -> list[dict[str, str]]:
    """Rows of a CSV/TSV file, or BadInput naming the missing columns."""
    if not path.exists():
        raise BadInput(f"dataset file {path} does not exist", hint="pass --datasets pointing at the shared datasets folder")
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise BadInput(f"{path} lacks the column(s) {', '.join(missing)}; it has {reader.fieldnames}",
                           hint=f"the file needs the columns {', '.join(columns)}")
        return list(reader)


def _vary(text: str, rng: random.Random) -> str:
    """Cheap surface variety for hand-written lines: casing and final punctuation."""
    text = text.capitalize() if rng.random() < 0.5 else text
    return text + rng.choice(["", "", "?", "!", "."]) if text[-1].isalnum() else text


def intent_rows(config: DataConfig, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """(train, heldout) rows of {text, intent, source}."""
    root = config.datasets_dir
    dev = {_norm(r["text"]) for r in read_table(root / "intents_dev_real.csv", ("text", "intent"))}
    train, heldout = [], []
    by_intent: dict[str, list[str]] = {}
    for row in read_table(root / "bitext" / "bitext_support_6k.csv", ("instruction", "intent")):
        by_intent.setdefault(row["intent"], []).append(row["instruction"])
    for intent, texts in sorted(by_intent.items()):
        cut = int(len(texts) * (1 - config.bitext_heldout_fraction))  # rows come grouped by seed text
        pool = [t for t in texts[:cut] if _norm(t) not in dev]
        train += [{"text": fill_placeholders(t, rng), "intent": intent, "source": "bitext"} for t in rng.sample(pool, min(len(pool), config.bitext_per_intent))]
        heldout += [{"text": fill_placeholders(t, rng), "intent": intent, "source": "bitext-heldout"} for t in texts[cut:]]
    banking: dict[str, list[str]] = {}
    for row in read_table(root / "banking77" / "train.csv", ("text", "category")):
        if _norm(row["text"]) not in dev:
            banking.setdefault(row["category"], []).append(row["text"])
    mapped: dict[str, list[str]] = {}
    for category, label in BANKING_MAP.items():
        texts = list(banking.get(category, []))
        rng.shuffle(texts)
        keep = config.banking_heldout_per_category
        heldout += [{"text": t, "intent": label, "source": "banking77-heldout"} for t in texts[:keep]]
        mapped.setdefault(label, []).extend(texts[keep:])
    for label, texts in sorted(mapped.items()):
        train += [{"text": t, "intent": label, "source": "banking77"} for t in rng.sample(texts, min(len(texts), config.banking_per_intent))]
    oos_pool = [t for c in BANKING_OOS for t in banking.get(c, [])]
    train += [{"text": t, "intent": OUT_OF_SCOPE, "source": "banking77-oos"} for t in rng.sample(oos_pool, min(len(oos_pool), config.banking_oos))]
    for topic, texts in OOS_TOPICS.items():
        target = heldout if topic in OOS_HELDOUT_TOPICS else train
        target += [{"text": _vary(t, rng), "intent": OUT_OF_SCOPE, "source": f"oos-{topic}"} for t in texts for _ in range(2)]
    for label, texts in (("greeting", GREETINGS), ("goodbye", GOODBYES)):
        train += [{"text": _vary(t, rng), "intent": label, "source": "written"} for t in texts for _ in range(2)]
    queries = read_table(root / "wands" / "query.csv", ("query", "query_class"), delimiter="\t")
    classes = sorted({q["query_class"] for q in queries})
    wands: list[dict] = []
    held_classes = set(rng.sample(classes, min(config.wands_heldout_classes, len(classes))))
    for q in queries:
        held = q["query_class"] in held_classes
        text = q["query"] if rng.random() < 0.6 or held else rng.choice(["do you have {}", "i'm looking for {}", "show me {}", "recommend a {}", "any {} on sale?"]).format(q["query"])
        (heldout if held else wands).append({"text": text, "intent": "product_search", "source": "wands-heldout" if held else "wands"})
    train += rng.sample(wands, min(len(wands), config.wands_train))
    train += store_queries(config, rng)
    heldout += unseen_catalog_queries(config, rng)
    unknown = {r["intent"] for r in train + heldout} - set(INTENTS)
    if unknown:
        raise BadInput(f"labels outside the taxonomy: {sorted(unknown)}")
    rng.shuffle(train)
    train = [r for r in train if _norm(r["text"]) not in dev]  # hand-written lines can collide with it too
    return _dedupe(train), _dedupe(heldout)


def store_queries(config: DataConfig, rng: random.Random) -> list[dict]:
    """Shopping queries made from the store's own catalog (titles, types, brands, colours, uses)."""
    from data.load import load_catalog
    from finetune.shopping import catalog_queries

    products = load_catalog(config.catalog).records
    return catalog_queries(products, rng, per_product=config.catalog_queries_per_product, source="catalog")


def unseen_catalog_queries(config: DataConfig, rng: random.Random) -> list[dict]:
    """Shopping queries from a catalog the detector never sees in training (Abt-Buy electronics), held out."""
    from finetune.shopping import catalog_queries

    if not config.unseen_catalog.exists():
        return []
    rows = read_table(config.unseen_catalog, ("id", "name"))
    products = [Product(id=r["id"], title=r["name"], description=r.get("description", "")) for r in rows if r["name"].strip()]
    return catalog_queries(rng.sample(products, min(300, len(products))), rng, per_product=1, source="unseen-catalog")


def _dedupe(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for row in rows:
        if _norm(row["text"]) not in seen:
            seen.add(_norm(row["text"]))
            out.append(row)
    return out


def write_csv(path: Path, rows: list[dict], columns: tuple[str, ...]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def build_data(out: Path, config: DataConfig | None = None, *, with_dialogues: bool = True) -> BuiltData:
    """Write intents_{train,heldout}.csv, dialogues_{train,heldout}.jsonl and manifest.json."""
    config = config or DataConfig()
    rng = random.Random(config.seed)
    out.mkdir(parents=True, exist_ok=True)
    train, heldout = intent_rows(config, rng)
    write_csv(out / "intents_train.csv", train, ("text", "intent", "source"))
    write_csv(out / "intents_heldout.csv", heldout, ("text", "intent", "source"))
    write_csv(out / "intents_heldout_bitext.csv", [r for r in heldout if r["source"] == "bitext-heldout"], ("text", "intent"))
    counts = {"intents_train": len(train), "intents_heldout": len(heldout)}
    if with_dialogues:
        from finetune.dialogues import build_dialogues

        dialogues = build_dialogues(config, rng, train_texts=train, heldout_texts=heldout)
        for split, rows in dialogues.items():
            with (out / f"dialogues_{split}.jsonl").open("w", encoding="utf-8") as handle:
                handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
            counts[f"dialogues_{split}"] = len(rows)
    manifest = {
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()},
        "counts": counts,
        "intents_train_by_source": dict(Counter(r["source"] for r in train).most_common()),
        "intents_heldout_by_source": dict(Counter(r["source"] for r in heldout).most_common()),
        "intents_train_by_label": dict(sorted(Counter(r["intent"] for r in train).items())),
        "never_trained_on": str(config.datasets_dir / "intents_dev_real.csv"),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return BuiltData(out=out, counts=counts)

