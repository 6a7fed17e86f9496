"""A compact Llama forward over the loaded model's weights, with a preallocated KV cache.

Why not `model.generate`: a 135M-parameter model decodes one token in a few milliseconds of
arithmetic, and Hugging Face's per-token Python (cache objects, logits processors, hooks)
costs more than that. This module runs the same maths with the fewest possible kernel calls:
fused q/k/v and gate/up projections, one `rms_norm` and one SDPA call per block, a KV cache
written in place. Weights come from the already loaded (and LoRA-merged) model, so an adapter
is served at no extra cost.

On a CPU, decoding one token is bound by the bytes of weights read, so the linear weights can be
stored quantized (weight-only; activations stay in the compute dtype): "int8" with one scale per
output row, or "int4" in blocks of 32 with a scale and offset each, the very grid of the
packaged GGUF's Q4_1 tensors, so the base model's weights convert without loss. A LoRA delta is
about a hundredth of one int4 step (and a tenth of an int8 step), so quantizing merged weights
would round the adapter away: with `adapter=`, the adapter is taken back out of the weights
before quantizing and applied beside them as its low-rank product, in the compute dtype.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
import torch.nn.functional as F

WeightFormat = Literal["same", "int8", "int4"]
INT4_GROUP = 32  # weights per int4 block: Q4_1's block size
DENSE_ROWS = 3  # from this many rows per call, a kept dense copy beats the quantized kernels


@dataclass
class LlamaShape:
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    context: int  # the model's trained context length (8192 for SmolLM2)
    rope_theta: float
    eps: float

    @classmethod
    def from_config(cls, config: Any) -> LlamaShape:
        rope = getattr(config, "rope_parameters", None) or {}
        theta = rope.get("rope_theta", getattr(config, "rope_theta", 10000.0))
        if rope.get("rope_type", "default") != "default":
            raise ValueError(f"rope type {rope['rope_type']!r} is not supported by the fast engine")
        return cls(
            layers=config.num_hidden_layers,
            hidden=config.hidden_size,
            heads=config.num_attention_heads,
            kv_heads=config.num_key_value_heads,
            head_dim=getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads,
            vocab=config.vocab_size,
            context=config.max_position_embeddings,
            rope_theta=float(theta),
            eps=float(config.rms_norm_eps),
        )


class Linear:
    """y = x @ W.T (+ x @ A.T @ B.T) with W dense (an adapter folded in), int8 per row, or int4 per block of 32.

    A LoRA path (A, B) rides along in the quantized matmul: A's rows are appended to W's, so one
    kernel call returns both y and x @ A.T, and only the small product with B is extra. (Separate
    small matmuls cost more per call on a CPU than the arithmetic they do.)"""

    def __init__(self, weight: torch.Tensor, dtype: torch.dtype, fmt: WeightFormat,
                 low_rank: tuple[torch.Tensor, torch.Tensor] | None = None, *, keep_dense: bool = False) -> None:
        weight = weight.detach()
        self.out_features, self.in_features = weight.shape
        if fmt == "int4" and (self.in_features % INT4_GROUP or weight.device.type != "cpu"):
            fmt = "int8"  # the int4 kernel needs whole blocks; int8 takes any shape
        self.fmt = fmt if weight.device.type == "cpu" else "same"
        w = weight.float()
        if low_rank is not None and self.fmt != "same":
            w = torch.cat([w, low_rank[0].float()])  # rows of A: x @ A.T comes out of the same call
        if self.fmt == "int4" and w.shape[0] % 16:
            w = torch.cat([w, w.new_zeros(-w.shape[0] % 16, w.shape[1])])  # the kernel packs 16 rows at a time
        if self.fmt == "int8":
            scale = w.abs().amax(1).clamp(min=1e-8) / 127.0  # (out,)
            self.weight = torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8).contiguous()
            self.scale = scale.to(dtype)
        elif self.fmt == "int4":
            blocks = w.reshape(w.shape[0], -1, INT4_GROUP)
            low, high = blocks.amin(-1), blocks.amax(-1)
            step = ((high - low) / 15).clamp(min=1e-8)
            q = torch.round((blocks - low[..., None]) / step[..., None]).clamp(0, 15).to(torch.int32)
            self.weight = torch.ops.aten._convert_weight_to_int4pack_for_cpu(q.reshape(w.shape[0], -1), 1)
            # The kernel de-quantizes as (q - 8) * scale + zero, so zero = low + 8 * step.
            self.scale = torch.stack([step.t(), (low + 8 * step).t()], -1).to(dtype).contiguous()
        merged = None  # dense weight with the adapter folded in, for dense formats and the dense copy
        if self.fmt == "same" or keep_dense:
            merged = weight.float() if low_rank is None else weight.float() + low_rank[1].float() @ low_rank[0].float()
        if self.fmt == "same":
            self.weight = merged.to(dtype).contiguous()
        # Many rows at once (prefill, a batch of sessions) are compute-bound, where the int kernels
        # lose to the dense bf16 one: keep a dense copy (adapter merged in) for those calls.
        self.dense_copy = merged.to(dtype).contiguous() if self.fmt != "same" and keep_dense else None
        # (rank, out), float32: small bf16 matmuls are slow on a CPU.
        self.b = None if low_rank is None or self.fmt == "same" else low_rank[1].t().float().contiguous()

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.fmt == "same":
            return F.linear(x, self.weight)
        flat = x.reshape(-1, self.in_features)
        if self.dense_copy is not None and flat.shape[0] >= DENSE_ROWS:
            return F.linear(x, self.dense_copy)
        if self.fmt == "int8":
            z = torch._weight_int8pack_mm(flat, self.weight, self.scale)
        else:
            z = torch.ops.aten._weight_int4pack_mm_for_cpu(flat, self.weight, INT4_GROUP, self.scale)
        if self.b is not None:
            low_rank = z[:, self.out_features:self.out_features + self.b.shape[0]].float() @ self.b
            z = z[:, :self.out_features] + low_rank.to(z.dtype)
        elif z.shape[1] != self.out_features:
            z = z[:, :self.out_features]
        return z.reshape(*x.shape[:-1], -1)

    def dense(self) -> torch.Tensor:
        """The effective weight (de-quantized, adapter included), for checks."""
        if self.fmt == "int8":
            w = self.weight.float() * self.scale.float()[:, None]
        elif self.fmt == "int4":
            eye = torch.eye(self.in_features, dtype=self.scale.dtype)
            w = torch.ops.aten._weight_int4pack_mm_for_cpu(eye, self.weight, INT4_GROUP, self.scale).t().float()
        else:
            w = self.weight.float()
        if self.b is not None:
            a = w[self.out_features:self.out_features + self.b.shape[0]]
            w = w[:self.out_features] + (a.t() @ self.b.float()).t()
        return w[:self.out_features]


def load_lora(adapter: Path) -> tuple[dict[str, tuple[torch.Tensor, torch.Tensor]], float]:
    """LoRA factors by module path ("layers.3.self_attn.q_proj" -> (A, B)) and the scaling alpha / r."""
    from safetensors.torch import load_file

    config = json.loads((adapter / "adapter_config.json").read_text())
    rank = config["r"]
    scaling = config["lora_alpha"] / (rank ** 0.5 if config.get("use_rslora") else rank)
    tensors = load_file(str(adapter / "adapter_model.safetensors"))
    factors: dict[str, tuple[torch.Tensor, torch.Tensor]] = {}
    for name, a in tensors.items():
        if ".lora_A." in name:
            module = name.split("model.layers.", 1)[-1].split(".lora_A.")[0]
            factors["layers." + module] = (a.float(), tensors[name.replace(".lora_A.", ".lora_B.")].float())
    return factors, scaling


def unmerge(weights: list[torch.Tensor], names: list[str], factors: dict, scaling: float
            ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor] | None]:
    """Base weight (merged minus the adapter's delta) of a fused projection and its low-rank path.

    Fused rows (q;k;v or gate;up) share the input, so their A factors stack and their B factors form
    a block-diagonal matrix: one low-rank product serves the whole fused projection."""
    parts = [factors.get(n) for n in names]
    fused = torch.cat([w.detach().float() for w in weights])
    if not any(parts):
        return fused, None
    rank = next(p for p in parts if p)[0].shape[0]
    a_all = torch.zeros(rank * len(names), fused.shape[1])
    b_all = torch.zeros(fused.shape[0], rank * len(names))
    row = 0
    for i, (w, part) in enumerate(zip(weights, parts)):
        if part:
            a, b = part
            a_all[i * rank:(i + 1) * rank] = a
            b_all[row:row + w.shape[0], i * rank:(i + 1) * rank] = b * scaling
        row += w.shape[0]
    return fused - b_all @ a_all, (a_all, b_all)


@dataclass
class Block:
    attn_norm: torch.Tensor
    qkv: Linear
    out: Linear
    mlp_norm: torch.Tensor
    gate_up: Linear
    down: Linear


class KVCache:
    """Keys and values of every slot, preallocated: (slots, kv_heads, length, head_dim) per layer.

    `torch.empty` pages are only committed when written, so a long `length` costs memory only
    for the tokens actually cached.
    """

    def __init__(self, shape: LlamaShape, slots: int, length: int, dtype: torch.dtype, device: str) -> None:
        size = (shape.layers, slots, shape.kv_heads, length, shape.head_dim)
        self.k = torch.empty(size, dtype=dtype, device=device)
        self.v = torch.empty(size, dtype=dtype, device=device)
        self.slots, self.length = slots, length

    def export(self, slot: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        """A copy of the first n positions of one slot (for the prefix cache)."""
        return self.k[:, slot, :, :n].clone(), self.v[:, slot, :, :n].clone()

    def load(self, slot: int, kv: tuple[torch.Tensor, torch.Tensor], n: int) -> None:
        self.k[:, slot, :, :n] = kv[0][:, :, :n]
        self.v[:, slot, :, :n] = kv[1][:, :, :n]


class FastLlama:
    """The Llama decoder as plain tensor calls over a `KVCache`."""

    def __init__(self, model: Any, *, dtype: torch.dtype | None = None, weights: WeightFormat = "same",
                 adapter: Path | None = None, dense_for_batches: bool = True) -> None:
        """`dense_for_batches`: with quantized weights, also keep a dense copy for prefill and
        batched decode, where it is faster (costs the dense weights' memory again, ~270 MB here)."""
        if hasattr(model, "merge_and_unload"):  # an unmerged peft wrapper: fold the adapter in first
            model = model.merge_and_unload()
        if getattr(model.config, "model_type", "") not in {"llama", "smollm3"} or getattr(model.config, "attention_bias", False):
            raise ValueError("the fast engine supports Llama-architecture models without attention bias")
        self.shape = shape = LlamaShape.from_config(model.config)
        head = model.lm_head.weight
        self.device = head.device.type
        self.dtype = dtype or head.dtype
        fmt: WeightFormat = weights if self.device == "cpu" else "same"  # the quantized kernels are CPU ones
        factors, scaling = load_lora(adapter) if adapter is not None and fmt != "same" else ({}, 1.0)
        body = model.model

        def linear(layer: int, modules: list[tuple[str, Any]]) -> Linear:
            names = [f"layers.{layer}.{name}" for name, _ in modules]
            base, low_rank = unmerge([m.weight for _, m in modules], names, factors, scaling)
            return Linear(base, self.dtype, fmt, low_rank, keep_dense=dense_for_batches)

        self.embed = body.embed_tokens.weight.detach().to(self.dtype)
        self.blocks = []
        for i, layer in enumerate(body.layers):
            a, m = layer.self_attn, layer.mlp
            self.blocks.append(Block(
                attn_norm=layer.input_layernorm.weight.detach().to(self.dtype),
                qkv=linear(i, [("self_attn.q_proj", a.q_proj), ("self_attn.k_proj", a.k_proj), ("self_attn.v_proj", a.v_proj)]),
                out=linear(i, [("self_attn.o_proj", a.o_proj)]),
                mlp_norm=layer.post_attention_layernorm.weight.detach().to(self.dtype),
                gate_up=linear(i, [("mlp.gate_proj", m.gate_proj), ("mlp.up_proj", m.up_proj)]),
                down=linear(i, [("mlp.down_proj", m.down_proj)]),
            ))
        self.norm = body.norm.weight.detach().to(self.dtype)
        # The tied embedding / output matrix is Q8_0 in the GGUF: int4 would lose precision, int8 keeps it.
        self.lm_head = Linear(head, self.dtype, "int8" if fmt == "int4" else fmt, keep_dense=dense_for_batches)
        inv_freq = 1.0 / shape.rope_theta ** (torch.arange(0, shape.head_dim, 2, dtype=torch.float32) / shape.head_dim)
        angles = torch.outer(torch.arange(shape.context, dtype=torch.float32), inv_freq)
        angles = torch.cat([angles, angles], -1).to(head.device)  # (context, head_dim), HF's layout
        self.cos, self.sin = angles.cos().to(self.dtype), angles.sin().to(self.dtype)

    def new_cache(self, slots: int, length: int) -> KVCache:
        return KVCache(self.shape, slots, min(length, self.shape.context), self.dtype, self.device)

    def _rope(self, x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
        half = x.shape[-1] // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], -1)
        return x * cos + rotated * sin

    @torch.inference_mode()
    def forward(self, tokens: torch.Tensor, positions: torch.Tensor, cache: KVCache, *,
                slots: slice, mask: torch.Tensor | None, kv_len: int, last_only: bool = True) -> torch.Tensor:
        """Logits for `tokens` (batch, T) at `positions` (batch, T), written into cache rows `slots`.

        Attention reads cache positions [0, kv_len); `mask` (batch, 1, T, kv_len) says which of them
        each query sees (None = every one, the single-stream decode case).
        """
        s = self.shape
        batch, steps = tokens.shape
        x = self.embed[tokens]  # (batch, T, hidden)
        cos, sin = self.cos[positions].unsqueeze(1), self.sin[positions].unsqueeze(1)  # (batch, 1, T, head_dim)
        rows = torch.arange(slots.start, slots.stop, device=tokens.device)[:, None]  # (batch, 1)
        q_end, k_end = s.heads * s.head_dim, (s.heads + s.kv_heads) * s.head_dim
        for i, block in enumerate(self.blocks):
            h = F.rms_norm(x, (s.hidden,), block.attn_norm, s.eps)
            qkv = block.qkv(h)
            q = qkv[..., :q_end].view(batch, steps, s.heads, s.head_dim).transpose(1, 2)
            k = qkv[..., q_end:k_end].view(batch, steps, s.kv_heads, s.head_dim).transpose(1, 2)
            v = qkv[..., k_end:].view(batch, steps, s.kv_heads, s.head_dim).transpose(1, 2)
            q, k = self._rope(q, cos, sin), self._rope(k, cos, sin)
            cache.k[i][rows, :, positions] = k.transpose(1, 2)  # (batch, T, kv_heads, head_dim)
            cache.v[i][rows, :, positions] = v.transpose(1, 2)
            keys, values = cache.k[i][slots, :, :kv_len], cache.v[i][slots, :, :kv_len]
            attn = F.scaled_dot_product_attention(q, keys, values, attn_mask=mask, enable_gqa=True)
            x = x + block.out(attn.transpose(1, 2).reshape(batch, steps, s.heads * s.head_dim))
            h = F.rms_norm(x, (s.hidden,), block.mlp_norm, s.eps)
            gate, up = block.gate_up(h).chunk(2, -1)
            x = x + block.down(F.silu(gate) * up)
        if last_only:
            x = x[:, -1:]
        return self.lm_head(F.rms_norm(x, (s.hidden,), self.norm, s.eps)).float()
