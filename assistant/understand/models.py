"""Loading the two readers of a message: the fast head and the chat model that writes commands.

Both ship in `finetune/commands_model/` (`head/`: MiniLM LoRA + output layers; `parser/`: the chat model's
command LoRA), trained on this store's command data; settings point elsewhere or switch either off.
"""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.settings import REPO_ROOT, Settings
from data.errors import ModelUnavailable

log = logging.getLogger(__name__)
SHIPPED = REPO_ROOT / "finetune" / "commands_model"
HINT = "train one with `shopassist finetune train-head` / `train-parser`, or set SHOPASSIST_UNDERSTANDING__HEAD / __PARSER"


def _folder(chosen: str | None, shipped: Path, marker: str) -> Path | None:
    if chosen is not None and not chosen.strip():
        return None  # switched off
    folder = Path(chosen).expanduser() if chosen else shipped
    if not (folder / marker).exists():
        if chosen:
            raise ModelUnavailable(f"{folder} holds no {marker}", hint=HINT)
        return None
    return folder


def load_head(settings: Settings):
    from assistant.understand.head import CommandHead

    folder = _folder(settings.understanding.head, SHIPPED / "head", "labels.json")
    if folder is None:
        return None
    import torch

    if settings.model.threads:
        torch.set_num_threads(settings.model.threads)
    log.info("understanding: fast head %s", folder)
    return CommandHead.load(folder)


def load_parser(settings: Settings, names, *, untuned: bool = False):
    """The chat model with the command adapter on our own decode loop (int8 weights on a CPU, bf16 on CUDA).
    `untuned`: the base model alone, told the language in its instruction (to measure what tuning adds)."""
    folder = None if untuned else _folder(settings.understanding.parser, SHIPPED / "parser", "adapter_config.json")
    if folder is None and not untuned:
        return None
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from assistant.generation.engine_model import FastLlama
    from assistant.generation.generator import engine_dtype, eos_ids
    from assistant.generation.model import LoadedModel, pick_device, resolve_model_dir
    from assistant.understand.grammar import command_grammar
    from assistant.understand.parser import CommandParser, HFStepper
    from assistant.understand.prompt import SYSTEM, language_lesson

    base = resolve_model_dir(settings)
    device, dtype = pick_device(settings.model)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype, device_map={"": device})
    if folder is not None:
        try:
            model = PeftModel.from_pretrained(model, folder).merge_and_unload()
        except Exception as exc:  # trained for another base model
            raise ModelUnavailable(f"cannot apply the command adapter {folder}: {exc}", hint=HINT) from exc
    loaded = LoadedModel(model=model, tokenizer=tokenizer, device=device, path=base, adapter=folder)
    try:
        runner = FastLlama(model, dtype=engine_dtype(loaded, settings.model), weights=settings.understanding.parser_weights,
                           adapter=folder)
        log.info("understanding: chat model %s + %s (%s weights)", base.name, folder, settings.understanding.parser_weights)
    except ValueError:  # an architecture the fast engine does not know: the model's own forward
        model.eval()
        runner = HFStepper(model)
        log.info("understanding: chat model %s + %s (Hugging Face forward)", base.name, folder)
    return CommandParser(runner, tokenizer, command_grammar(names), eos_ids=eos_ids(loaded),
                         system=language_lesson() if untuned else SYSTEM)
