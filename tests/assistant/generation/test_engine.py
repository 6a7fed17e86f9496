"""The fast engine against transformers on a small random Llama: same greedy tokens, batched,
chunked, prefix-cached, merged-LoRA, and cancelled requests giving their slot back."""

from __future__ import annotations

import time

import pytest

from assistant.settings import ModelSettings

torch = pytest.importorskip("torch")

VOCAB = 512


@pytest.fixture(scope="module")
def tiny_llama():
    """A real LlamaForCausalLM (4 layers, GQA, tied embeddings) with random weights."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=VOCAB, hidden_size=96, intermediate_size=192, num_hidden_layers=4,
                         num_attention_heads=6, num_key_value_heads=2, max_position_embeddings=512,
                         tie_word_embeddings=True, initializer_range=0.3, rope_theta=10000.0,
                         bos_token_id=1, eos_token_id=2, pad_token_id=2)
    return LlamaForCausalLM(config).eval()


def hf_greedy(model, ids: list[int], new: int, penalty: float = 1.0) -> list[int]:
    with torch.inference_mode():
        out = model.generate(torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                             max_new_tokens=new, min_new_tokens=new, do_sample=False,
                             repetition_penalty=penalty, pad_token_id=2)
    return out[0, len(ids):].tolist()


def engine_settings(slots: int = 8, **rest) -> ModelSettings:
    """Model settings for an engine test, named like the engine's knobs (slots, max_context, ...)."""
    names = {"max_context": "max_context", "prefill_chunk": "prefill_chunk", "prefix_entries": "prefix_cache_entries"}
    return ModelSettings(batch_slots=slots, **{names[k]: v for k, v in rest.items()})


def make_engine(model, **config):
    from assistant.generation.engine import Engine
    from assistant.generation.engine_model import FastLlama

    return Engine(FastLlama(model, dtype=torch.float32), eos_ids={-1}, settings=engine_settings(**config))


def prompt(seed: int, length: int) -> list[int]:
    return torch.randint(3, VOCAB, (length,), generator=torch.Generator().manual_seed(seed)).tolist()


@pytest.mark.parametrize("length,penalty", [(5, 1.0), (40, 1.15), (130, 1.3)])
def test_greedy_tokens_match_transformers_generate(tiny_llama, length, penalty):
    ids = prompt(length, length)
    engine = make_engine(tiny_llama, slots=2, max_context=256)
    got = list(engine.submit(ids, max_new_tokens=20, repetition_penalty=penalty).tokens())
    assert got == hf_greedy(tiny_llama, ids, 20, penalty)


def test_concurrent_requests_are_batched_and_each_matches_its_solo_run(tiny_llama):
    prompts = [prompt(seed, length) for seed, length in [(1, 12), (2, 70), (3, 33), (4, 101)]]
    engine = make_engine(tiny_llama, slots=4, max_context=256, prefill_chunk=32)
    requests = [engine.submit(ids, max_new_tokens=16, repetition_penalty=1.15) for ids in prompts]
    results = [list(r.tokens()) for r in requests]  # read one after another: the engine never waits for a reader
    assert results == [hf_greedy(tiny_llama, ids, 16, 1.15) for ids in prompts]


def test_second_turn_reuses_the_cached_prefix_and_gives_the_same_tokens(tiny_llama):
    first = prompt(7, 90)
    engine = make_engine(tiny_llama, slots=2, max_context=256, prefix_entries=4)
    reply = list(engine.submit(first, max_new_tokens=10).tokens())
    second = first + reply + prompt(8, 15)  # the next turn extends the conversation
    request = engine.submit(second, max_new_tokens=12, repetition_penalty=1.15)
    got = list(request.tokens())
    assert request.reused >= len(first)  # the prompt and the reply were not recomputed
    assert got == hf_greedy(tiny_llama, second, 12, 1.15)


def test_merged_lora_adapter_is_served_by_the_fast_path(tiny_llama):
    import copy

    from peft import LoraConfig, get_peft_model

    torch.manual_seed(1)
    peft_model = get_peft_model(copy.deepcopy(tiny_llama), LoraConfig(
        r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "up_proj"], init_lora_weights=False))
    merged = peft_model.merge_and_unload().eval()
    ids = prompt(9, 30)
    tuned = list(make_engine(merged, slots=1, max_context=128).submit(ids, max_new_tokens=12).tokens())
    assert tuned == hf_greedy(merged, ids, 12)
    assert tuned != hf_greedy(tiny_llama, ids, 12)  # the adapter really changed the model


def test_cancelled_stream_frees_its_slot_at_once(tiny_llama):
    engine = make_engine(tiny_llama, slots=1, max_context=512)
    long_request = engine.submit(prompt(10, 20), max_new_tokens=400)
    stream = long_request.tokens()
    next(stream)
    stream.close()  # the client went away mid-stream
    deadline = time.monotonic() + 2.0
    while engine.busy_slots() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert engine.busy_slots() == 0
    waiting = engine.submit(prompt(11, 8), max_new_tokens=3)  # the only slot serves the next one
    assert len(list(waiting.tokens(timeout=5))) == 3


def test_a_reader_that_never_reads_does_not_stall_the_others(tiny_llama):
    engine = make_engine(tiny_llama, slots=2, max_context=512)
    ignored = engine.submit(prompt(12, 10), max_new_tokens=300)
    started = time.monotonic()
    served = list(engine.submit(prompt(13, 10), max_new_tokens=20).tokens(timeout=10))
    assert len(served) == 20 and time.monotonic() - started < 10
    ignored.cancel()


def test_eos_ends_a_request_and_is_not_emitted(tiny_llama):
    from assistant.generation.engine import Engine
    from assistant.generation.engine_model import FastLlama

    ids = prompt(14, 16)
    expected = hf_greedy(tiny_llama, ids, 8)
    stop = expected[3]
    engine = Engine(FastLlama(tiny_llama, dtype=torch.float32), eos_ids={stop}, settings=engine_settings(slots=1, max_context=128))
    assert list(engine.submit(ids, max_new_tokens=8).tokens()) == expected[: expected.index(stop)]


def test_bad_requests_and_configs_are_refused(tiny_llama):
    engine = make_engine(tiny_llama, slots=1, max_context=64)
    with pytest.raises(ValueError, match="exceeds the context"):
        engine.submit(prompt(15, 60), max_new_tokens=10)
    with pytest.raises(ValueError):
        engine.submit([], max_new_tokens=1)
    with pytest.raises(ValueError):
        engine_settings(slots=0)


@pytest.mark.parametrize("weights", ["same", "int8"])
def test_bf16_and_int8_weights_stay_close_to_float32(tiny_llama, weights):
    from assistant.generation.engine_model import FastLlama

    ids = torch.tensor([prompt(16, 24)])
    positions = torch.arange(24)[None]
    mask = (torch.arange(24) <= positions[..., None]).unsqueeze(1)
    outputs = []
    for fast in (FastLlama(tiny_llama, dtype=torch.float32),
                 FastLlama(tiny_llama, dtype=torch.bfloat16, weights=weights, dense_for_batches=False)):
        cache = fast.new_cache(1, 32)
        outputs.append(fast.forward(ids, positions, cache, slots=slice(0, 1), mask=mask, kv_len=24, last_only=False))
    reference, approx = outputs
    with torch.inference_mode():
        hf = tiny_llama(ids).logits
    assert torch.allclose(reference, hf, atol=1e-4)
    agreement = (reference.argmax(-1) == approx.argmax(-1)).float().mean().item()
    # a random model has many near-ties; the real quality check is intent accuracy (docs/benchmarks.md, Inference speed)
    assert agreement > 0.7 and (reference - approx).abs().mean() < 0.1 * reference.abs().mean()


def on_q4_grid(weight: torch.Tensor) -> torch.Tensor:
    """The weight snapped to a Q4_1-style grid: per block of 32, 16 levels from the block's minimum."""
    blocks = weight.reshape(weight.shape[0], -1, 32)
    step = 2.0 ** torch.round(torch.log2((blocks.amax(-1) - blocks.amin(-1)) / 15))  # exact in bf16
    low = torch.round(blocks.amin(-1) / step) * step
    q = torch.round((blocks - low[..., None]) / step[..., None]).clamp(0, 15)
    q[..., 0], q[..., -1] = 0, 15  # like Q4_1, every block spans its 16 levels
    return (q * step[..., None] + low[..., None]).reshape(weight.shape)


def test_int4_reproduces_q4_grid_weights_exactly():
    from assistant.generation.engine_model import Linear

    weight = on_q4_grid(torch.randn(64, 96))
    assert torch.equal(Linear(weight, torch.bfloat16, "int4").dense(), weight)


def test_a_small_adapter_survives_int4_weights(tiny_llama, tmp_path):
    """A LoRA delta far below one int4 step would be rounded away if merged before quantizing."""
    import copy

    from peft import LoraConfig, get_peft_model

    from assistant.generation.engine_model import FastLlama

    base = copy.deepcopy(tiny_llama)
    with torch.no_grad():
        for layer in base.model.layers:
            for module in (*[getattr(layer.self_attn, n) for n in ("q_proj", "k_proj", "v_proj", "o_proj")],
                           *[getattr(layer.mlp, n) for n in ("gate_proj", "up_proj", "down_proj")]):
                module.weight.copy_(on_q4_grid(module.weight))
    torch.manual_seed(2)
    peft_model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "up_proj"],
                                                 init_lora_weights=False))
    with torch.no_grad():
        for name, parameter in peft_model.named_parameters():
            if "lora_B" in name:
                parameter.mul_(0.02)  # like a trained adapter: small next to the weights
    peft_model.save_pretrained(tmp_path / "adapter")
    merged = peft_model.merge_and_unload().eval()
    ids = torch.tensor([prompt(21, 24)])
    positions = torch.arange(24)[None]
    mask = (torch.arange(24) <= positions[..., None]).unsqueeze(1)

    def logits(fast):
        return fast.forward(ids, positions, fast.new_cache(1, 32), slots=slice(0, 1), mask=mask, kv_len=24, last_only=False)

    reference = logits(FastLlama(merged, dtype=torch.float32))
    kept = logits(FastLlama(merged, dtype=torch.float32, weights="int4", adapter=tmp_path / "adapter", dense_for_batches=False))
    rounded = logits(FastLlama(merged, dtype=torch.float32, weights="int4", dense_for_batches=False))
    assert (kept - reference).abs().max() < 0.2 * (rounded - reference).abs().max()
    # Prefill (many rows) runs on the kept dense copy, the adapter merged in: same logits as the dense model.
    batched = logits(FastLlama(merged, dtype=torch.float32, weights="int4", adapter=tmp_path / "adapter"))
    assert torch.allclose(batched, reference, atol=1e-4)
