"""Training data for the LoRA adapter: intent labels and grounded reply turns.

    shopassist finetune build-data --out runs/data      # seeded; writes a manifest.json

Intents come from real sources (Bitext, Banking77 rows mapped to our taxonomy, WANDS queries)
plus hand-written greetings, goodbyes and varied out-of-scope requests, plus shopping queries made
from the store's catalog. Reply turns run through the real turn service on the demo store
(`finetune/grounded.py`), so training prompts are exactly the serving draft prompts and targets
are replies composed from the same facts.
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

from assistant.settings import REPO_ROOT
from assistant.intents import INTENTS, OUT_OF_SCOPE
from data import DEMO_DIR
from data.errors import BadInput
from data.schema import Product
from finetune.written import GOODBYES, GREETINGS, OOS_HELDOUT_TOPICS, OOS_TOPICS

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
    grounded_conversations: int = 600  # scripted chats through the turn service (1 in 5 held out); each turn is a training reply

    def __post_init__(self) -> None:
        if not 0 < self.bitext_heldout_fraction < 1:
            raise ValueError("bitext_heldout_fraction must be in (0, 1)")
        if min(self.bitext_per_intent, self.banking_per_intent, self.grounded_conversations) < 1 or self.banking_heldout_per_category < 0:
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


def grounded_turns(config: DataConfig, rng: random.Random, train: list[dict], heldout: list[dict]) -> dict[str, list[dict]]:
    """Reply turns through the real turn service on the demo store, with a throwaway order book."""
    import tempfile

    from tqdm.auto import tqdm

    from assistant.deps import build_deps
    from assistant.history import ConversationStore
    from assistant.settings import Settings
    from assistant.turn import build_service
    from finetune.grounded import build_grounded

    settings = Settings(store_dir=config.catalog.parent, retrieval={"catalog": config.catalog})
    deps = build_deps(settings)
    scratch = Path(tempfile.mkdtemp(prefix="shopassist-grounded-"))
    service = build_service(settings, deps, store=ConversationStore(f"sqlite:///{scratch / 'orders.db'}"))
    pick = lambda rows, sources: [r["text"] for r in rows if r["source"] in sources]  # noqa: E731
    oos_train = [r["text"] for r in train if r["intent"] == OUT_OF_SCOPE]
    oos_heldout = [r["text"] for r in heldout if r["intent"] == OUT_OF_SCOPE]
    rows = {"train": {"shopping": pick(train, {"catalog", "wands"}), "out_of_scope": oos_train},
            "heldout": {"shopping": pick(heldout, {"wands-heldout"}), "out_of_scope": oos_heldout}}
    return build_grounded(service, rng, conversations=config.grounded_conversations, rows=rows,
                          progress=lambda steps: tqdm(steps, desc="grounded turns"))


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


def build_data(out: Path, config: DataConfig | None = None, *, with_replies: bool = True) -> BuiltData:
    """Write intents_{train,heldout}.csv, grounded_{train,heldout}.jsonl and manifest.json."""
    config = config or DataConfig()
    rng = random.Random(config.seed)
    out.mkdir(parents=True, exist_ok=True)
    train, heldout = intent_rows(config, rng)
    write_csv(out / "intents_train.csv", train, ("text", "intent", "source"))
    write_csv(out / "intents_heldout.csv", heldout, ("text", "intent", "source"))
    write_csv(out / "intents_heldout_bitext.csv", [r for r in heldout if r["source"] == "bitext-heldout"], ("text", "intent"))
    counts = {"intents_train": len(train), "intents_heldout": len(heldout)}
    if with_replies:
        for split, records in grounded_turns(config, rng, train, heldout).items():
            with (out / f"grounded_{split}.jsonl").open("w", encoding="utf-8") as handle:
                handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
            counts[f"grounded_{split}"] = len(records)
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

