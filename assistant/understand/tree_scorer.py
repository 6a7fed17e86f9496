"""The one-pass label scorer: every intent label's constrained next-token scores from a single forward
pass over the label trie, in the fast engine's lean Llama maths (used by `intent.ModelIntentClassifier`)."""

from __future__ import annotations


class TreeScorer:
    """Every label's constrained scores from ONE forward pass, in the fast engine's lean Llama maths.

    The fixed system prefix is run once and its keys/values kept. For a message, the input is
    the message + answer prefix followed by every inner node of the label trie (e.g. "check",
    "_" of "check_..."), with a tree attention mask: a node sees the prefix, the whole message
    and its own ancestors, at the position it would have in a normal decode. So the hidden
    states where labels diverge all come out of a single call, with no cache copies, and only
    the few allowed rows of the output embedding are projected. On CPU the weights are bf16
    (the AMX kernels make a ~30-token pass several times faster than fp32 through HF modules); a CPU
    without native bf16 gets float32, several times faster there than emulated bf16.
    """

    def __init__(self, model, prefix_ids: list[int], branches: list[tuple[int, ...]], allowed: dict, dtype=None) -> None:
        import torch

        from assistant.generation.engine_model import FastLlama

        device = model.get_output_embeddings().weight.device.type
        if dtype is None and device == "cpu":  # bf16 only where the CPU computes it natively (AMX / AVX512-BF16)
            dtype = torch.bfloat16 if torch.ops.mkldnn._is_mkldnn_bf16_supported() else torch.float32
        self.fast = FastLlama(model, dtype=dtype)
        self.device = self.fast.device
        deeper = [b for b in branches if b]
        nodes = sorted({b[:d] for b in deeper for d in range(1, len(b) + 1)}, key=lambda n: (len(n), n))
        self.node_index = {n: i for i, n in enumerate(nodes)}
        self.node_tokens = [n[-1] for n in nodes]
        self.node_depth = [len(n) for n in nodes]
        m = len(nodes)
        see = torch.zeros((m, m), dtype=torch.bool)  # node i sees node j (its ancestors and itself)
        for n, i in self.node_index.items():
            for d in range(1, len(n) + 1):
                see[i, self.node_index[n[:d]]] = True
        self._node_mask = see
        self.branches = branches
        head = model.get_output_embeddings().weight.detach().float()
        self.rows = {b: head[allowed[b]].to(self.device) for b in branches}  # (allowed, hidden) fp32
        self.prefix_len = len(prefix_ids)
        ids = torch.tensor(prefix_ids, device=self.device)
        causal = torch.ones((len(prefix_ids), len(prefix_ids)), dtype=torch.bool).tril()
        _, self.prefix_kv = self._forward(ids, torch.arange(len(prefix_ids), device=self.device), causal, None)

    @property
    def dtype(self):
        return self.fast.dtype

    def _forward(self, tokens, positions, mask, past):
        """Final-norm hidden states (T, hidden) and this call's keys/values per layer."""
        import torch
        import torch.nn.functional as F

        fast, s = self.fast, self.fast.shape
        steps = tokens.shape[0]
        low = fast.dtype
        x = fast.embed[tokens][None].float()  # (1, T, hidden): the residual stream stays fp32, matmuls run in `low`
        cos, sin = fast.cos[positions][None, None], fast.sin[positions][None, None]  # (1, 1, T, head_dim)
        q_end, k_end = s.heads * s.head_dim, (s.heads + s.kv_heads) * s.head_dim
        mask = mask[None, None]
        new_kv = []
        with torch.inference_mode():
            for i, block in enumerate(fast.blocks):
                h = F.rms_norm(x, (s.hidden,), block.attn_norm.float(), s.eps).to(low)
                qkv = block.qkv(h)
                q = qkv[..., :q_end].view(1, steps, s.heads, s.head_dim).transpose(1, 2)
                k = qkv[..., q_end:k_end].view(1, steps, s.kv_heads, s.head_dim).transpose(1, 2)
                v = qkv[..., k_end:].view(1, steps, s.kv_heads, s.head_dim).transpose(1, 2)
                q, k = fast._rope(q, cos, sin), fast._rope(k, cos, sin)
                new_kv.append((k, v))
                if past is not None:
                    k, v = torch.cat([past[i][0], k], 2), torch.cat([past[i][1], v], 2)
                attn = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, enable_gqa=True)
                x = x + block.out(attn.transpose(1, 2).reshape(1, steps, s.heads * s.head_dim)).float()
                h = F.rms_norm(x, (s.hidden,), block.mlp_norm.float(), s.eps).to(low)
                gate, up = block.gate_up(h).chunk(2, -1)
                x = x + block.down(F.silu(gate) * up).float()
            return F.rms_norm(x, (s.hidden,), fast.norm.float(), s.eps)[0], new_kv

    def step_log_probs(self, new_ids: list[int]) -> dict[tuple[int, ...], list[float]]:
        """log P(token | branch) over each branch's allowed tokens, for message + answer prefix `new_ids`."""
        import torch

        n, m, start = len(new_ids), len(self.node_tokens), self.prefix_len
        tokens = torch.tensor(new_ids + self.node_tokens, device=self.device)
        positions = torch.tensor(list(range(start, start + n)) + [start + n - 1 + d for d in self.node_depth], device=self.device)
        mask = torch.zeros((n + m, start + n + m), dtype=torch.bool)
        mask[:, :start] = True
        mask[:n, start: start + n] = torch.ones((n, n), dtype=torch.bool).tril()
        mask[n:, start: start + n] = True
        mask[n:, start + n:] = self._node_mask
        hidden, _ = self._forward(tokens, positions, mask.to(self.device), self.prefix_kv)
        hidden = hidden.float()
        out = {}
        with torch.inference_mode():
            for branch, rows in self.rows.items():
                h = hidden[n - 1] if not branch else hidden[n + self.node_index[branch]]
                out[branch] = torch.log_softmax(rows @ h, 0).tolist()
        return out
