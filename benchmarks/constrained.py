"""Constrained decoding on this CPU: which library compiles and walks the command grammar cheapest.

    .venv/bin/python -m benchmarks.constrained [--rows N]       # last stdout line: JSON; table on stderr

The tuned model's decoding is held to the command language and the store's names by a grammar
(`assistant/understand/grammar.py`, Lark in llguidance's dialect). `translate` turns the demo store's grammar
into each candidate's input (the grammar is regular: a bounded number of lines, each a fixed chain of optional
slots): llguidance takes the Lark text; xgrammar EBNF, rule for rule; outlines-core (an `Index` over the
tokenizer's byte strings) and lm-format-enforcer (`RegexParser`) one regex with every rule inlined.

Timed on one thread: the tokenizer's preparation, the grammar's compilation, and, per token of the expected
command lines of the first `--rows` rows of `benchmarks/cases/commands_heldout.jsonl`, the full allowed-token
bitmask plus advancing with that token (lm-format-enforcer advances inside its mask call, so only the sum
compares). No warm-up: lazy libraries pay for their first states in p95 and the mean. A row is accepted when
every token is in the mask before it and end-of-sequence in the mask after the last; every row is a sentence
of the language, so a rejected row means a wrong translation or a grammar the library cannot express.
`forced_share` (llguidance): the share of tokens forced (`compute_ff_tokens` non-empty before them), which
need no decoding step. Writes docs/benchmarks/constrained_decoding.png.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

os.environ["RAYON_NUM_THREADS"] = "1"  # before the libraries (and numpy, torch) are imported
os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import torch  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

from assistant.settings import Settings  # noqa: E402
from assistant.understand.grammar import command_grammar  # noqa: E402
from assistant.understand.validate import StoreNames  # noqa: E402
from data import DEMO_DIR  # noqa: E402
from data.load import load_catalog  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "benchmarks" / "cases" / "commands_heldout.jsonl"
CHART = ROOT / "docs" / "benchmarks" / "constrained_decoding.png"
TOPICS = ["account", "payment_methods", "refunds", "returns", "shipping"]

# --- translation: Lark (the subset grammar.py writes) -> a small tree -> EBNF or one regex -------------------
# Nodes: ("lit", text) ("cls", "[...]") ("ref", name) ("seq", [nodes]) ("alt", [nodes]) ("rep", node, lo, hi)

_LARK = re.compile(r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|/(?P<re>(?:[^/\\]|\\.)+)/|(?P<ref>[A-Za-z_]\w*)'
                   r'|\{(?P<lo>\d+),(?P<hi>\d+)\}|(?P<op>[|()?*+]))')
_REGEX = re.compile(r"(?P<cls>\[(?:\\.|[^\]\\])+\])|\\(?P<esc>.)|\{(?P<lo>\d+),(?P<hi>\d+)\}|(?P<op>[|()?*+])"
                    r"|(?P<char>[^.^$\[\]{}\\])")
_QUANTIFIERS = {"?": (0, 1), "*": (0, None), "+": (1, None)}
_ESCAPES = {"n": "\n", "t": "\t"}


def _tokens(text: str, syntax: re.Pattern) -> list:
    """A Lark rule body or a /regex/ as tokens: "(", ")", "|", ("q", lo, hi) or a leaf node."""
    out, pos = [], 0
    while pos < len(text):
        m = syntax.match(text, pos)
        if not m:
            raise ValueError(f"unsupported syntax at {text[pos:pos + 30]!r}")
        (kind, value), *_ = [(k, v) for k, v in m.groupdict().items() if v is not None]
        if kind == "re":
            out += ["(", *_tokens(value, _REGEX), ")"]
        elif kind == "lo":
            out.append(("q", int(value), int(m["hi"])))
        elif kind == "op":
            out.append(("q", *_QUANTIFIERS[value]) if value in _QUANTIFIERS else value)
        elif kind in ("string", "esc", "char"):
            out.append(("lit", json.loads(value) if kind == "string" else _ESCAPES.get(value, value) if kind == "esc"
                        else value))
        else:  # cls, ref
            out.append((kind, value))
        pos = m.end()
    return out


def _parse(tokens: list):
    """Alternation > sequence > postfix quantifiers > leaf or group."""
    pos = 0

    def alternation():
        nonlocal pos
        options = [sequence()]
        while pos < len(tokens) and tokens[pos] == "|":
            pos += 1
            options.append(sequence())
        return options[0] if len(options) == 1 else ("alt", options)

    def sequence():
        nonlocal pos
        items = []
        while pos < len(tokens) and tokens[pos] not in ("|", ")"):
            token, pos = tokens[pos], pos + 1
            if token == "(":
                items.append(alternation())
                pos += 1  # its ")"
            elif token[0] == "q":
                items[-1] = ("rep", items[-1], *token[1:])
            else:
                items.append(token)
        return items[0] if len(items) == 1 else ("seq", items)

    tree = alternation()
    if pos != len(tokens):
        raise ValueError(f"unbalanced grammar at token {pos}")
    return tree


def _quantifier(lo: int, hi: int | None) -> str:
    return {bounds: op for op, bounds in _QUANTIFIERS.items()}.get((lo, hi)) or f"{{{lo},{hi}}}"


def _emit(node, rules: dict | None = None, seen: frozenset = frozenset()) -> str:
    """xgrammar EBNF (no rules: a reference stays a rule name) or, given the rules, one regex (references inlined)."""
    kind, regex = node[0], rules is not None
    if kind == "lit" and regex:
        return "".join("\\n" if c == "\n" else "\\" + c if c in "\\.^$|?*+()[]{}" else c for c in node[1])
    if kind == "lit":
        return json.dumps(node[1])
    if kind == "cls" or (kind == "ref" and not regex):
        return node[1]
    if kind == "ref":
        if node[1] in seen:
            raise ValueError(f"rule {node[1]} is recursive: no regex")
        return f"({_emit(rules[node[1]], rules, seen | {node[1]})})"
    if kind in ("seq", "alt"):
        parts = [_emit(n, rules, seen) for n in node[1]]
        if kind == "seq":
            return ("" if regex else " ").join(parts)
        return "(" + ("|" if regex else " | ").join(parts) + ")"
    return f"({_emit(node[1], rules, seen)}){_quantifier(*node[2:])}"


def translate(lark: str) -> dict[str, str]:
    """The Lark grammar as xgrammar EBNF (root rule `start`) and as one regex."""
    rules = {}
    for line in lark.strip().splitlines():
        name, _, body = line.partition(":")
        rules[name.strip()] = _parse(_tokens(body.strip(), _LARK))
    ebnf = "\n".join(f"{name} ::= {_emit(tree)}" for name, tree in rules.items())
    return {"ebnf": ebnf, "regex": _emit(rules["start"], rules)}


# --- candidates: each prepares its tokenizer and compiles (both timed), then masks and advances -------------


@dataclass
class Library:
    tokenizer_s: float
    compile_s: float
    reset: Callable[[], object]  # a fresh row
    mask: Callable[[], object]  # the full allowed-token bitmask (int32 words) before the next token
    advance: Callable[[int], bool]
    forced: Callable[[], bool] | None = None  # whether the next token is forced


def _timed(fn):
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def llguidance_(hf, grammars: dict, vocab: int, eos: int) -> Library:
    import llguidance.hf
    import llguidance.numpy

    tokenizer, tokenizer_s = _timed(lambda: llguidance.hf.from_tokenizer(hf, n_vocab=vocab, eos_token=eos))
    lark = grammars["lark"]
    matcher, compile_s = _timed(
        lambda: llguidance.LLMatcher(tokenizer, llguidance.LLMatcher.grammar_from_lark(lark), log_level=0))
    if matcher.is_error():
        raise ValueError(matcher.get_error())
    bitmask = llguidance.numpy.allocate_token_bitmask(1, vocab)

    def mask():
        llguidance.numpy.fill_next_token_bitmask(matcher, bitmask)
        return bitmask[0]

    return Library(tokenizer_s, compile_s, matcher.reset, mask, matcher.consume_token,
                   lambda: bool(matcher.compute_ff_tokens()))


def xgrammar_(hf, grammars: dict, vocab: int, eos: int) -> Library:
    import xgrammar as xgr

    info, tokenizer_s = _timed(lambda: xgr.TokenizerInfo.from_huggingface(hf, vocab_size=vocab, stop_token_ids=[eos]))
    compiled, compile_s = _timed(lambda: xgr.GrammarCompiler(info, max_threads=1, cache_enabled=False)
                                 .compile_grammar(xgr.Grammar.from_ebnf(grammars["ebnf"], root_rule_name="start")))
    matcher, bitmask = xgr.GrammarMatcher(compiled), xgr.allocate_token_bitmask(1, vocab)
    words = bitmask.numpy()[0]

    def mask():
        matcher.fill_next_token_bitmask(bitmask)
        return words

    return Library(tokenizer_s, compile_s, matcher.reset, mask, matcher.accept_token)


def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level alphabet back to bytes (SmolLM2's BPE writes every byte as a printable character)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    shifted = [b for b in range(256) if b not in printable]
    return {chr(b): b for b in printable} | {chr(256 + i): b for i, b in enumerate(shifted)}


def outlines_core_(hf, grammars: dict, vocab: int, eos: int) -> Library:
    import outlines_core

    def vocabulary():
        decode, special, tokens = _byte_decoder(), set(hf.all_special_ids), {}
        for text, token in hf.get_vocab().items():
            if token not in special and token < vocab:
                tokens.setdefault(bytes(decode[c] for c in text), []).append(token)
        return outlines_core.Vocabulary(eos, tokens)

    words, tokenizer_s = _timed(vocabulary)
    index, compile_s = _timed(lambda: outlines_core.Index(grammars["regex"], words))
    guide, bitmask = outlines_core.Guide(index), np.zeros((vocab + 31) // 32, dtype=np.int32)

    def mask():
        guide.write_mask_into(bitmask.ctypes.data, bitmask.size, 4)
        return bitmask

    def advance(token: int) -> bool:
        guide.advance(token, return_tokens=False)  # raises on a token outside the mask
        return True

    return Library(tokenizer_s, compile_s, guide.reset, mask, advance)


def _lmfe_tokenizer_data(hf, vocab: int, eos: int):
    """`lmformatenforcer.integrations.transformers.build_token_enforcer_tokenizer_data` (its default list mode),
    line for line: that module imports `transformers.tokenization_utils`, which transformers 5 no longer has."""
    from lmformatenforcer import TokenEnforcerTokenizerData

    zero, special, regular = hf.encode("0", add_special_tokens=False)[-1], set(hf.all_special_ids), []
    for token in range(vocab):
        if token not in special:
            after_zero = hf.decode([zero, token])[1:]  # keeps the leading space of a word-start token
            regular.append((token, after_zero, len(after_zero) > len(hf.decode([token]))))
    return TokenEnforcerTokenizerData(regular, lambda tokens: hf.decode(tokens).rstrip("\ufffd"), eos, False, vocab)


def lm_format_enforcer_(hf, grammars: dict, vocab: int, eos: int) -> Library:
    """A new TokenEnforcer per row, as its integrations make one per request; it advances inside `mask`. Its list
    of allowed tokens is packed into a bitmask like the others' (its own bitmask mode was slower on this grammar)."""
    from lmformatenforcer import RegexParser, TokenEnforcer

    data, tokenizer_s = _timed(lambda: _lmfe_tokenizer_data(hf, vocab, eos))
    parser, compile_s = _timed(lambda: RegexParser(grammars["regex"]))
    row, allowed = {}, np.zeros((vocab + 31) // 32 * 32, dtype=bool)

    def advance(token: int) -> bool:
        row["sequence"].append(token)
        return True

    def mask():
        allowed[:] = False
        allowed[row["enforcer"].get_allowed_tokens(row["sequence"]).allowed_tokens] = True
        return np.packbits(allowed, bitorder="little").view(np.int32)

    return Library(tokenizer_s, compile_s, lambda: row.update(enforcer=TokenEnforcer(data, parser), sequence=[]),
                   mask, advance)


CANDIDATES = {"llguidance": llguidance_, "xgrammar": xgrammar_, "outlines-core": outlines_core_,
              "lm-format-enforcer": lm_format_enforcer_}


def _allows(bitmask, token: int) -> bool:
    return bool((int(bitmask[token >> 5]) >> (token & 31)) & 1)


def walk(lib: Library, rows: list[list[int]], eos: int) -> dict:
    """Mask + advance per token of every row (the check and the forced count untimed); accepted rows."""
    times, accepted, forced = [], 0, 0
    for ids in rows:
        lib.reset()
        ok = True
        for token in ids:
            t0 = time.perf_counter_ns()
            bitmask = lib.mask()
            t1 = time.perf_counter_ns()
            ok = _allows(bitmask, token)
            if not ok:
                break
            forced += bool(lib.forced and lib.forced())
            t2 = time.perf_counter_ns()
            ok = lib.advance(token)
            times.append((t1 - t0 + time.perf_counter_ns() - t2) / 1000)
            if not ok:
                break
        accepted += ok and _allows(lib.mask(), eos)
    p50, p95 = np.percentile(times, [50, 95])
    result = {"mask_us_p50": round(float(p50), 1), "mask_us_p95": round(float(p95), 1),
              "mask_us_mean": round(float(np.mean(times)), 1), "accepted": round(accepted / len(rows), 4),
              "rows": len(rows)}
    if lib.forced:
        result["forced_share"] = round(forced / len(times), 4)
    return result


def chart(libraries: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n, r in libraries.items() if "mask_us_p50" in r]
    x = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.bar(x - 0.2, [libraries[n]["mask_us_p50"] for n in names], 0.4, label="p50")
    ax.bar(x + 0.2, [libraries[n]["mask_us_p95"] for n in names], 0.4, label="p95")
    ax.set_xticks(x, names)
    ax.set_yscale("log")
    ax.set_ylabel("µs per token (mask + advance), log scale")
    ax.set_title(f"Command grammar, one CPU thread ({libraries[names[0]]['rows']} rows)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(CHART, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300, help="first N rows of the held-out command set")
    parser.add_argument("--tokenizer", type=Path, default=Settings().model_cache / "SmolLM2-135M-Instruct.Q4_1")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    torch.set_num_threads(1)

    lark = command_grammar(StoreNames.of(load_catalog(DEMO_DIR / "catalog.jsonl").records, topics=TOPICS))
    grammars = {"lark": lark, **translate(lark)}
    hf = AutoTokenizer.from_pretrained(args.tokenizer)
    vocab, eos = max(len(hf), json.loads((args.tokenizer / "config.json").read_text())["vocab_size"]), hf.eos_token_id
    with CASES.open() as f:
        texts = [json.loads(line)["expect"] for line, _ in zip(f, range(args.rows))]
    rows = [hf(text, add_special_tokens=False)["input_ids"] for text in texts]

    libraries: dict[str, dict] = {}
    for name, build in CANDIDATES.items():
        print(f"{name} ...", file=sys.stderr, flush=True)
        try:
            lib = build(hf, grammars, vocab, eos)
        except Exception as error:  # a library that cannot take the grammar is a result, not a crash
            libraries[name] = {"error": f"{type(error).__name__}: {error}"[:300]}
            continue
        libraries[name] = {"compile_s": round(lib.compile_s, 4), "tokenizer_s": round(lib.tokenizer_s, 4),
                           **walk(lib, rows, eos)}

    print(f"\n{'library':<20}{'compile s':>10}{'tok s':>8}{'p50 µs':>9}{'p95 µs':>9}{'mean µs':>9}{'accepted':>10}"
          f"{'forced':>8}   (load {load:.2f}, {len(rows)} rows, 1 thread)", file=sys.stderr)
    for name, r in libraries.items():
        forced = f"{r['forced_share']:.0%}" if "forced_share" in r else "-"
        print(f"{name:<20}" + (r["error"] if "error" in r else f"{r['compile_s']:>10.3f}{r['tokenizer_s']:>8.2f}"
              f"{r['mask_us_p50']:>9.1f}{r['mask_us_p95']:>9.1f}{r['mask_us_mean']:>9.1f}{r['accepted']:>10.1%}"
              f"{forced:>8}"), file=sys.stderr)
    if any("mask_us_p50" in r for r in libraries.values()):
        chart(libraries)
    print(json.dumps({"libraries": libraries, "load_average": round(load, 2), "threads": 1}))


if __name__ == "__main__":
    main()
