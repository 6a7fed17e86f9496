"""A compact Llama forward over the loaded model's weights, with a preallocated KV cache.

Why not `model.generate`: a 135M-parameter model decodes one token in a few milliseconds of
arithmetic, and Hugging Face's per-token Python (cache objects, logits processors, hooks)
costs more than that. This module runs the same maths with the fewest possible kernel calls:
fused q/k/v and gate/up projections, one `rms_norm` and one SDPA call per block, a KV cache
written in place. Weights come from the already loaded (and LoRA-merged) model, so an adapter
is served at no extra cost. Optionally the linear weights are stored as int8 with one scale
per output row (weight-only quantization; activations stay in the compute dtype), which
halves the bytes read per token against bf16.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import torch
import torch.nn.functional as F

WeightFormat = Literal["same", "int8"]


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
    """y = x @ W.T with W dense (compute dtype) or int8 + per-row scales."""

    def __init__(self, weight: torch.Tensor, dtype: torch.dtype, fmt: WeightFormat) -> None:
        weight = weight.detach()
        self.int8 = fmt == "int8" and weight.device.type == "cpu"
        if self.int8:
            w = weight.float()
            scale = w.abs().amax(1).clamp(min=1e-8) / 127.0  # (out,)
            self.weight = torch.round(w / scale[:, None]).clamp(-127, 127).to(torch.int8).contiguous()
            self.scale = scale.to(dtype)
        else:
            self.weight = weight.to(dtype).contiguous()

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if not self.int8:
            return F.linear(x, self.weight)
        flat = x.reshape(-1, x.shape[-1])
        return torch._weight_int8pack_mm(flat, self.weight, self.scale).reshape(*x.shape[:-1], -1)

    def dense(self) -> torch.Tensor:
        """The effective weight (de-quantized), for checks."""
        return self.weight.to(self.scale.dtype) * self.scale[:, None] if self.int8 else self.weight


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

    def __init__(self, model: Any, *, dtype: torch.dtype | None = None, weights: WeightFormat = "same") -> None:
        if hasattr(model, "merge_and_unload"):  # an unmerged peft wrapper: fold the adapter in first
            model = model.merge_and_unload()
        if getattr(model.config, "model_type", "") not in {"llama", "smollm3"} or getattr(model.config, "attention_bias", False):
            raise ValueError("the fast engine supports Llama-architecture models without attention bias")
        self.shape = shape = LlamaShape.from_config(model.config)
        head = model.lm_head.weight
        self.device = head.device.type
        self.dtype = dtype or head.dtype
        fmt: WeightFormat = weights if self.device == "cpu" else "same"  # int8 kernels here are CPU ones
        body = model.model
        self.embed = body.embed_tokens.weight.detach().to(self.dtype)
        self.blocks = []
        for layer in body.layers:
            a, m = layer.self_attn, layer.mlp
            self.blocks.append(Block(
                attn_norm=layer.input_layernorm.weight.detach().to(self.dtype),
                qkv=Linear(torch.cat([a.q_proj.weight, a.k_proj.weight, a.v_proj.weight]), self.dtype, fmt),
                out=Linear(a.o_proj.weight, self.dtype, fmt),
                mlp_norm=layer.post_attention_layernorm.weight.detach().to(self.dtype),
                gate_up=Linear(torch.cat([m.gate_proj.weight, m.up_proj.weight]), self.dtype, fmt),
                down=Linear(m.down_proj.weight, self.dtype, fmt),
            ))
        self.norm = body.norm.weight.detach().to(self.dtype)
        self.lm_head = Linear(head, self.dtype, fmt)
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
