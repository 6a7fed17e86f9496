"""LoRA fine-tuning of the chat model: grounded reply turns (the reply adapter), or command lines (the
adapter that writes commands).

    shopassist finetune build-data --out runs/data && shopassist finetune train --data runs/data --out runs/lora
    shopassist finetune build-commands --out runs/commands && shopassist finetune train-parser --data runs/commands
    accelerate launch -m finetune.train --data runs/data --out runs/lora   # same run, any device

`accelerate` picks the device; bf16 mixed precision on CUDA and on CPUs that compute bf16 natively (AMX /
AVX-512 BF16: about 3x faster than fp32 there), fp32 otherwise. Losses are taken only on answer tokens. A checkpoint (adapter, optimizer, scheduler, step, RNG) is written every
`save_every` steps and on Ctrl-C; a rerun with the same --out continues from it. The final
adapter is saved in fp16 safetensors with its `TrainConfig` beside it.
"""

from __future__ import annotations

import json
import logging
import random
import resource
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from data.errors import BadInput

log = logging.getLogger(__name__)
TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass
class TrainConfig:
    data: Path = Path("runs/data")
    out: Path = Path("runs/lora")
    seed: int = 13
    epochs: float = 1.0
    lr: float = 6e-4  # short CPU runs: a higher LR than the usual 2e-4..3e-4
    rank: int = 8
    alpha: int = 16
    dropout: float = 0.05
    batch_tokens: int = 1024  # examples of similar length are packed into batches of about this many tokens
    max_len: int = 640  # longer reply prompts are cut from the left (the system text keeps its end)
    warmup: int = 10
    save_every: int = 25  # steps between checkpoints
    target_modules: tuple[str, ...] = TARGET_MODULES
    max_steps: int = 0  # 0 = the whole schedule; >0 stops early (tests, smoke runs)
    max_rows: int = 0  # command rows used (0 = all): the chat model learns the language from fewer than the head
    catalog: Path | None = None  # the store's catalog, for the card titles in command prompts (default: the demo store's)
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data, self.out = Path(self.data), Path(self.out)
        if self.rank < 1 or self.alpha < 1:
            raise ValueError("rank and alpha must be >= 1")
        if not 0 < self.lr < 1:
            raise ValueError("lr must be in (0, 1)")
        if self.batch_tokens < self.max_len:
            raise ValueError("batch_tokens must be >= max_len")


def load_examples(config: TrainConfig, tokenizer) -> list[tuple[list[int], list[int]]]:
    """(input_ids, labels) pairs; labels are -100 outside the answer. Command rows (`train.jsonl` of
    `build-commands`) and grounded reply turns (`grounded_train.jsonl` of `build-data`), whichever the folder has."""
    end = tokenizer.convert_tokens_to_ids("<|im_end|>")
    examples = []
    for messages in _command_chats(config) + _reply_chats(config):
        chat = tokenizer.apply_chat_template(messages[:-1], tokenize=False, add_generation_prompt=True)
        prompt = tokenizer(chat, add_special_tokens=False)["input_ids"]
        answer = tokenizer(messages[-1]["content"], add_special_tokens=False)["input_ids"] + [end]
        prompt = prompt[-(config.max_len - len(answer)):]
        examples.append((prompt + answer, [-100] * len(prompt) + answer))
    if not examples:
        raise BadInput(f"no training data in {config.data}", hint="run `shopassist finetune build-data` or `build-commands` first")
    return examples


def _command_chats(config: TrainConfig) -> list[list[dict]]:
    from assistant.understand.prompt import SYSTEM, user_turn
    from data import DEMO_DIR
    from data.load import load_catalog
    from finetune.commands.example import state_of

    path = config.data / "train.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if config.max_rows:
        rows = random.Random(config.seed).sample(rows, min(config.max_rows, len(rows)))
    catalog = load_catalog(config.catalog or DEMO_DIR / "catalog.jsonl").records
    titles = {p.id: (p.title, p.price) for p in catalog}
    return [[{"role": "system", "content": SYSTEM},
             {"role": "user", "content": user_turn(state_of(r["state"]), titles, r["say"], r.get("previous"))},
             {"role": "assistant", "content": r["expect"]}] for r in rows]


def _reply_chats(config: TrainConfig) -> list[list[dict]]:
    path = config.data / "grounded_train.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["messages"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def make_batches(examples, config: TrainConfig, rng: random.Random) -> list[list[int]]:
    """Indices grouped by length (little padding), batch order shuffled by the seed."""
    order = sorted(range(len(examples)), key=lambda i: (len(examples[i][0]), rng.random()))
    batches, current, width = [], [], 0
    for i in order:
        width_next = max(width, len(examples[i][0]))
        if current and width_next * (len(current) + 1) > config.batch_tokens:
            batches.append(current)
            current, width_next = [], len(examples[i][0])
        current.append(i)
        width = width_next
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches


def collate(examples, batch: list[int], pad_id: int):
    import torch

    width = max(len(examples[i][0]) for i in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, i in enumerate(batch):
        x, y = examples[i]
        ids[row, : len(x)], labels[row, : len(y)], mask[row, : len(x)] = torch.tensor(x), torch.tensor(y), 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}


def save_adapter(model, target: Path, config: TrainConfig) -> Path:
    """The LoRA weights in fp16 safetensors (half the size; merged into fp32/bf16 at load)."""
    import torch
    from safetensors.torch import load_file, save_file

    model.save_pretrained(target)
    weights = target / "adapter_model.safetensors"
    save_file({k: v.to(torch.float16).contiguous() for k, v in load_file(weights).items()}, weights, metadata={"format": "pt"})
    (target / "train_config.json").write_text(json.dumps(asdict(config), indent=2, default=str) + "\n", encoding="utf-8")
    return target


def plot_losses(losses: list[tuple[int, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps, values = zip(*losses) if losses else ((), ())
    smooth = [sum(values[max(0, i - 9): i + 1]) / len(values[max(0, i - 9): i + 1]) for i in range(len(values))]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(steps, values, alpha=0.35, label="loss")
    ax.plot(steps, smooth, label="mean of last 10")
    ax.set_xlabel("step")
    ax.set_ylabel("answer-token loss")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def train(config: TrainConfig, settings=None) -> dict:
    """Train (or resume) and return a summary with wall time and peak memory."""
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed
    from peft import LoraConfig, get_peft_model
    from tqdm.auto import tqdm
    from transformers import AutoModelForCausalLM, AutoTokenizer, get_cosine_schedule_with_warmup

    from assistant.generation.model import resolve_model_dir
    from assistant.settings import Settings

    started = time.perf_counter()
    bf16 = torch.cuda.is_available() or torch.ops.mkldnn._is_mkldnn_bf16_supported()
    accelerator = Accelerator(mixed_precision="bf16" if bf16 else "no")
    set_seed(config.seed)
    base = resolve_model_dir(settings or Settings())
    tokenizer = AutoTokenizer.from_pretrained(base)
    examples = load_examples(config, tokenizer)
    batches = make_batches(examples, config, random.Random(config.seed))
    total = max(1, int(len(batches) * config.epochs))
    if config.max_steps:
        total = min(total, config.max_steps)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    model = get_peft_model(model, LoraConfig(r=config.rank, lora_alpha=config.alpha, lora_dropout=config.dropout,
                                             target_modules=list(config.target_modules), task_type="CAUSAL_LM"))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.lr, weight_decay=0.0)
    scheduler = get_cosine_schedule_with_warmup(optimizer, config.warmup, total)
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    config.out.mkdir(parents=True, exist_ok=True)
    checkpoint, log_path = config.out / "checkpoint", config.out / "losses.jsonl"
    step, losses = 0, []
    if (checkpoint / "state.json").exists():
        accelerator.load_state(str(checkpoint))
        step = json.loads((checkpoint / "state.json").read_text())["step"]
        losses = [tuple(json.loads(l).values()) for l in log_path.read_text().splitlines()][:step] if log_path.exists() else []
        accelerator.print(f"resuming from step {step} of {total}")

    def save_checkpoint() -> None:
        accelerator.save_state(str(checkpoint))
        (checkpoint / "state.json").write_text(json.dumps({"step": step}))
        log_path.write_text("".join(json.dumps({"step": s, "loss": l}) + "\n" for s, l in losses))

    signal.signal(signal.SIGTERM, _interrupt)  # `kill` checkpoints like Ctrl-C does
    model.train()
    bar = tqdm(total=total, initial=step, desc="lora", disable=not accelerator.is_local_main_process)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    try:
        while step < total:
            batch = {k: v.to(accelerator.device) for k, v in collate(examples, batches[step % len(batches)], pad).items()}
            with accelerator.autocast():
                loss = model(**batch).loss
            accelerator.backward(loss)
            accelerator.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            losses.append((step, loss.item()))
            bar.update(1)
            bar.set_postfix(loss=f"{loss.item():.3f}")
            if step % config.save_every == 0:
                save_checkpoint()
    except KeyboardInterrupt:
        save_checkpoint()
        bar.close()
        raise
    bar.close()
    save_checkpoint()
    adapter = save_adapter(accelerator.unwrap_model(model), config.out / "adapter", config)
    plot_losses(losses, config.out / "loss.png")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    summary = {
        "steps": step, "examples": len(examples), "device": str(accelerator.device),
        "wall_s": round(time.perf_counter() - started, 1), "peak_rss_mb": round(peak_mb),
        "final_loss": round(sum(l for _, l in losses[-10:]) / max(1, len(losses[-10:])), 4),
        "adapter": str(adapter), "adapter_mb": round((adapter / "adapter_model.safetensors").stat().st_size / 2**20, 2),
    }
    if torch.cuda.is_available():
        summary["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 2**20)
    (config.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def main() -> None:
    """`accelerate launch -m finetune.train --data DIR --out DIR` entry point."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=TrainConfig.data)
    parser.add_argument("--out", type=Path, default=TrainConfig.out)
    parser.add_argument("--epochs", type=float, default=TrainConfig.epochs)
    parser.add_argument("--seed", type=int, default=TrainConfig.seed)
    parser.add_argument("--max-steps", type=int, default=0)
    parser.add_argument("--max-rows", type=int, default=0)
    args = parser.parse_args()
    print(json.dumps(train(TrainConfig(data=args.data, out=args.out, epochs=args.epochs, seed=args.seed, max_steps=args.max_steps,
                                       max_rows=args.max_rows))))


if __name__ == "__main__":
    main()
