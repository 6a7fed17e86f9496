"""The tuned chat model writing command lines, its decoding held to the store's command grammar.

    parser = CommandParser(fast_model, tokenizer, command_grammar(names), eos_ids={2})
    parser.write(user_turn(state, titles, "trail runners but not Stride"))   # 'search type="trail runners" ...'

One greedy pass over the model's own weights (`generation/engine_model.FastLlama`, int8 on a CPU): the
prompt is prefilled in one call, then at each step LLGuidance (`llguidance`) masks every token the grammar
does not allow, so the output is always a sentence of the command language with the store's own names.
Where the grammar leaves a single way on (the category after a product type, the rest of a brand's name)
those tokens are forced: they are fed to the model together in the next call instead of one call each,
so a command costs about one step per decision, not per token. `sample=True` (the retry after a reading
that did not check out) draws instead of taking the best token.
"""

from __future__ import annotations

import threading

from assistant.understand.prompt import SYSTEM

MAX_NEW_TOKENS = 64  # three command lines with a quoted address fit; the grammar bounds the lines anyway
RETRY_TEMPERATURE = 0.7


class CommandParser:
    def __init__(self, model, tokenizer, grammar: str, *, eos_ids: set[int], system: str = SYSTEM) -> None:
        """`system`: the instruction the model reads first (an untuned model is also told the language)."""
        import llguidance
        import llguidance.hf

        self.model, self.tokenizer, self.eos_ids, self.system = model, tokenizer, eos_ids, system
        self._lltok = llguidance.hf.from_tokenizer(tokenizer, eos_token=sorted(eos_ids)[0])
        self._grammar = llguidance.LLMatcher.grammar_from_lark(grammar)
        problem = llguidance.LLMatcher.validate_grammar(self._grammar)
        if problem:
            raise ValueError(f"the command grammar does not compile: {problem}")
        self._lock = threading.Lock()  # one KV cache, one decode at a time (a burst of ~100 ms)

    def prompt_ids(self, turn: str) -> list[int]:
        chat = [{"role": "system", "content": self.system}, {"role": "user", "content": turn}]
        text = self.tokenizer.apply_chat_template(chat, tokenize=False, add_generation_prompt=True)
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]

    def write(self, turn: str, *, sample: bool = False) -> str:
        import llguidance
        import llguidance.torch as guidance
        import torch

        ids = self.prompt_ids(turn)
        matcher = llguidance.LLMatcher(self._lltok, self._grammar)
        mask = guidance.allocate_token_bitmask(1, self._lltok.vocab_size)
        written: list[int] = []
        with self._lock, torch.inference_mode():
            cache = self.model.new_cache(1, len(ids) + MAX_NEW_TOKENS + 8)
            logits = self._feed(ids, 0, cache)
            while len(written) < MAX_NEW_TOKENS and not matcher.is_stopped():
                guidance.fill_next_token_bitmask(matcher, mask)
                scores = logits.float().clone()
                guidance.apply_token_bitmask_inplace(scores, mask.to(scores.device))
                if sample:
                    token = int(torch.multinomial(torch.softmax(scores / RETRY_TEMPERATURE, -1), 1)[0])
                else:
                    token = int(scores.argmax())
                if token in self.eos_ids or not matcher.consume_token(token):
                    break
                step = [token, *matcher.compute_ff_tokens()]
                if len(step) > 1:
                    matcher.consume_tokens(step[1:])
                written += step
                logits = self._feed(step, len(ids) + len(written) - len(step), cache)
        return self.tokenizer.decode(written, skip_special_tokens=True)

    def _feed(self, tokens: list[int], start: int, cache):
        """The logits after `tokens`, written into the cache at positions from `start` (causal within them)."""
        import torch

        device = self.model.device
        positions = torch.arange(start, start + len(tokens), device=device)[None]
        stop = start + len(tokens)
        mask = None if len(tokens) == 1 else (torch.arange(stop, device=device) <= positions[..., None]).unsqueeze(1)
        return self.model.forward(torch.tensor([tokens], device=device), positions, cache, slots=slice(0, 1), mask=mask,
                                  kv_len=stop)[0, -1]


class HFStepper:
    """FastLlama's calls over any Hugging Face causal LM with its own cache: the parser on a base the fast engine
    does not support (a multilingual base with attention biases, such as Qwen2). Slower per token, same output."""

    def __init__(self, model) -> None:
        self.model = model
        self.device = model.device.type

    def new_cache(self, slots: int, length: int):
        from transformers import DynamicCache

        return DynamicCache()

    def forward(self, tokens, positions, cache, *, slots, mask, kv_len):
        return self.model(input_ids=tokens, position_ids=positions, cache=cache, use_cache=True).logits[:, -1:]
