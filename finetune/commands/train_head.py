"""Train the fast head on the command data: MiniLM with a LoRA, and one output layer per decision.

    shopassist finetune train-head --data runs/commands --out finetune/commands_model/head

Targets come from each row's expected command lines: which kinds, the store names (category, type, topics),
the language's choices, and for the slots the shopper spells out, the words of the message that say them (found
in the message, allowing for typos). Written: the LoRA (`encoder/`), the output layers (`outputs.safetensors`),
the labels (`labels.json`) and a summary with the dev split's exact-match rate.
"""

from __future__ import annotations

import difflib
import json
import random
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.commands import AskShown, Command, OrderChange, OrderIssue, OrderStatus, Policy, Refine, SearchProducts
from assistant.understand.command_text import kind_of, parse_commands
from assistant.understand.head import ABOUTS, KINDS, REFS, Labels, build_network
from assistant.understand.prompt import clip, state_lines
from data.load import load_catalog
from finetune.commands.example import state_of


@dataclass
class HeadConfig:
    data: Path = Path("runs/commands")
    out: Path = Path("runs/head")
    catalog: Path | None = None  # the store's catalog (card titles in the state lines); default: the demo store's
    encoder: Path | None = None  # a BERT-style encoder folder (a multilingual one for other languages); default: the packaged MiniLM
    epochs: float = 3.0
    batch: int = 32
    lr: float = 8e-4  # LoRA and output layers
    rank: int = 16
    max_length: int = 160
    seed: int = 13
    max_steps: int = 0


def labels_for(facts) -> Labels:
    return Labels(("none", *sorted(facts.categories)), ("none", *sorted(facts.types)), tuple(sorted(facts.policies)))


def find_span(message: str, value: str) -> tuple[int, int] | None:
    """Where the message says `value`: exactly, else the closest run of words (typos, plurals, "$")."""
    low, target = message.lower(), value.lower().strip()
    if not target:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", target):  # an amount: the whole number, not "50" inside "150" or "1,500"
        value = float(target)
        for form in (target, f"{value:,.0f}", f"{value / 1000:g}k"):
            whole = re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d])", low)
            if whole:
                return whole.start(), whole.end()
        return None
    at = low.find(target)
    if at >= 0:
        return at, at + len(target)
    words = [(m.start(), m.end()) for m in re.finditer(r"[\w@.$'-]+", low)]
    size = max(1, len(target.split()))
    best, best_span = 0.0, None
    for n in {size - 1, size, size + 1} - {0}:
        for i in range(len(words) - n + 1):
            start, end = words[i][0], words[i + n - 1][1]
            score = difflib.SequenceMatcher(None, low[start:end].strip("$"), target).ratio()
            if score > best:
                best, best_span = score, (start, end)
    return best_span if best >= 0.75 else None


def spans_of(command: Command) -> list[tuple[str, str]]:
    """(tag, value) of the slots the shopper spells out."""
    out: list[tuple[str, str]] = []
    if isinstance(command, (SearchProducts, Refine)):
        if command.words:
            out.append(("words", command.words))
        out += [("brand", b) for b in command.brands] + [("not_brand", b) for b in command.exclude_brands]
        out += [("attr", a) for a in command.attributes]
        for tag, value in (("min", command.price_min), ("max", command.price_max), ("around", command.price_around)):
            if value is not None:
                out.append((tag, f"{value:g}"))
    elif isinstance(command, AskShown):
        out += [("attr", a) for a in command.attributes]
    elif isinstance(command, (OrderStatus, OrderChange, OrderIssue)):
        ref = command.order
        out += [(tag, v) for tag, v in (("id", ref.order_id), ("email", ref.email), ("item", ref.item)) if v]
        if isinstance(command, OrderChange) and command.new_address:
            out.append(("address", command.new_address))
    return out


def targets(commands: list[Command], message: str, offsets: list[tuple[int, int]], sequence: list[int | None],
            labels: Labels) -> dict:
    single = {name: 0 for name in labels.single()}
    multi = {name: [0.0] * len(options) for name, options in labels.multi().items()}
    index = lambda name, value: labels.single()[name].index(value)  # noqa: E731
    for command in commands:
        multi["kinds"][KINDS.index(kind_of(command))] = 1.0
        if isinstance(command, (SearchProducts, Refine)):
            single["sort"] = index("sort", command.sort)
            multi["stock"][0] = float(command.in_stock)
        if isinstance(command, SearchProducts):
            single["category"] = index("category", command.category) if command.category in labels.categories else 0
            single["product_type"] = index("product_type", command.product_type) if command.product_type in labels.types else 0
        elif isinstance(command, Refine) and command.direction:
            single["direction"] = index("direction", command.direction)
        elif isinstance(command, AskShown):
            for about in command.about:
                multi["about"][ABOUTS.index(about)] = 1.0
            for ref in command.refs:
                if str(ref) in REFS:
                    multi["refs"][REFS.index(str(ref))] = 1.0
        elif isinstance(command, (OrderStatus, OrderChange, OrderIssue)):
            single["which"] = index("which", command.order.which)
            if isinstance(command, OrderStatus):
                single["asks"] = index("asks", command.asks)
            elif isinstance(command, OrderChange):
                single["change"] = index("change", command.kind)
            else:
                single["problem"] = index("problem", command.problem)
        elif isinstance(command, Policy):
            for topic in command.topics:
                if topic in labels.topics:
                    multi["topics"][labels.topics.index(topic)] = 1.0
        elif kind_of(command) == "handoff":
            single["reason"] = index("reason", command.reason)
    tags = [-100 if s != 1 or a == b else 0 for s, (a, b) in zip(sequence, offsets)]
    for command in commands:
        for tag, value in spans_of(command):
            found = find_span(message, value)
            if found is None:
                continue
            first = True
            for i, (s, (a, b)) in enumerate(zip(sequence, offsets)):
                if s == 1 and a < found[1] and b > found[0] and a != b:
                    tags[i] = labels.tags.index(f"{'B' if first else 'I'}-{tag}")
                    first = False
    return {"single": single, "multi": multi, "tags": tags}


def encode_rows(rows: list[dict], tokenizer, labels: Labels, titles: dict, max_length: int) -> list[dict]:
    encoded = []
    for row in rows:
        state = state_of(row["state"])
        message = clip(row["say"])
        batch = tokenizer(state_lines(state, titles, row.get("previous")), message, truncation="only_first",
                          max_length=max_length, return_offsets_mapping=True)
        sequence = batch.sequence_ids()
        offsets = [tuple(o) for o in batch["offset_mapping"]]
        encoded.append({"input_ids": batch["input_ids"], "token_type_ids": batch["token_type_ids"],
                        **targets(parse_commands(row["expect"]), message, offsets, sequence, labels)})
    return encoded


def _batches(rows: list[dict], size: int) -> list[list[dict]]:
    """Rows of similar length together (little padding), batches in random order."""
    order = sorted(range(len(rows)), key=lambda i: (len(rows[i]["input_ids"]), random.random()))
    batches = [[rows[i] for i in order[s:s + size]] for s in range(0, len(order), size)]
    random.shuffle(batches)
    return batches


def collate(items: list[dict], labels: Labels):
    import torch

    width = max(len(i["input_ids"]) for i in items)
    pad = lambda key, value: torch.tensor([i[key] + [value] * (width - len(i[key])) for i in items])  # noqa: E731
    batch = {"input_ids": pad("input_ids", 0), "token_type_ids": pad("token_type_ids", 0),
             "attention_mask": torch.tensor([[1] * len(i["input_ids"]) + [0] * (width - len(i["input_ids"])) for i in items])}
    single = {k: torch.tensor([i["single"][k] for i in items]) for k in labels.single()}
    multi = {k: torch.tensor([i["multi"][k] for i in items]) for k in labels.multi()}
    return batch, single, multi, pad("tags", -100)


def train_head(config: HeadConfig, facts) -> dict:
    import torch
    from peft import LoraConfig, get_peft_model
    from safetensors.torch import load_file, save_file
    from tqdm.auto import tqdm
    from transformers import AutoModel, AutoTokenizer, get_linear_schedule_with_warmup

    from retrieval.embed import packaged_embedder_dir

    started = time.perf_counter()
    random.seed(config.seed)
    torch.manual_seed(config.seed)
    base = config.encoder or packaged_embedder_dir()
    tokenizer = AutoTokenizer.from_pretrained(base)
    labels = labels_for(facts)
    catalog = load_catalog(config.catalog).records if config.catalog else list(facts.products.values())
    titles = {p.id: (p.title, p.price) for p in catalog}
    read = lambda name: [json.loads(l) for l in (config.data / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]  # noqa: E731
    train_rows, dev_rows = read("train"), read("dev")
    train = encode_rows(train_rows, tokenizer, labels, titles, config.max_length)
    dev = encode_rows(dev_rows, tokenizer, labels, titles, config.max_length)
    encoder = get_peft_model(AutoModel.from_pretrained(base), LoraConfig(
        r=config.rank, lora_alpha=2 * config.rank, lora_dropout=0.05, target_modules=["query", "key", "value", "dense"]))
    network = build_network(encoder, labels)
    trainable = [p for p in network.parameters() if p.requires_grad]
    steps_per_epoch = (len(train) + config.batch - 1) // config.batch
    total = config.max_steps or int(steps_per_epoch * config.epochs)
    optimizer = torch.optim.AdamW(trainable, lr=config.lr, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, max(1, total // 20), total)
    bar = tqdm(total=total, desc="command head")
    step, losses = 0, []
    network.train()
    bf16 = torch.ops.mkldnn._is_mkldnn_bf16_supported()  # AMX / AVX-512 BF16: about 3x faster on this kind of CPU
    while step < total:
        for rows in _batches(train, config.batch):
            if step >= total:
                break
            batch, single, multi, tags = collate(rows, labels)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                out_single, out_multi, out_tags = network(**batch)
            out_single = {k: v.float() for k, v in out_single.items()}
            out_multi = {k: v.float() for k, v in out_multi.items()}
            loss = sum(torch.nn.functional.cross_entropy(out_single[k], single[k]) for k in single)
            loss = loss + sum(torch.nn.functional.binary_cross_entropy_with_logits(out_multi[k], multi[k]) for k in multi) * 3
            loss = loss + torch.nn.functional.cross_entropy(out_tags.float().flatten(0, 1), tags.flatten(), ignore_index=-100) * 2
            loss.backward()
            torch.nn.utils.clip_grad_norm_(trainable, 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            losses.append(loss.item())
            bar.update(1)
            bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.3f}")
    bar.close()
    network.eval()
    config.out.mkdir(parents=True, exist_ok=True)
    network.encoder.save_pretrained(config.out / "encoder")
    adapter = config.out / "encoder" / "adapter_model.safetensors"  # fp16 on disk, as the output layers: half the size
    save_file({k: v.to(torch.float16).contiguous() for k, v in load_file(str(adapter)).items()}, str(adapter))
    outputs = {k: v.detach().to(torch.float16).contiguous() for k, v in network.state_dict().items() if not k.startswith("encoder.")}
    save_file(outputs, str(config.out / "outputs.safetensors"))
    (config.out / "labels.json").write_text(labels.to_json(encoder=config.encoder) + "\n", encoding="utf-8")
    summary = {"steps": step, "train_rows": len(train), "dev_rows": len(dev), "final_loss": round(sum(losses[-50:]) / 50, 4),
               "wall_s": round(time.perf_counter() - started, 1), "config": {k: str(v) for k, v in asdict(config).items()}}
    (config.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return summary
