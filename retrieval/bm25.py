"""Keyword search with BM25 (`bm25s`), over the same product text the embedder sees.

Product catalogs live on model numbers: "KDL-40V4100" and "KDL40V4100" must meet, so the
tokenizer keeps each word both split at punctuation and joined ("kdl", "40v4100",
"kdl40v4100"). Scores come back for the whole catalog as one numpy array, so filters are
a boolean mask and cost one vectorised pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_SPLIT = re.compile(r"[^\w]+")
_STOP = frozenset(
    "a an and are as at be by for from has have i in is it its me my of on or our show that the this to was "
    "with want need looking find some any".split()
)


def tokenize(text: str) -> list[str]:
    """Lower-case words; punctuated words also kept joined ("wi-fi" -> "wi", "fi", "wifi")."""
    tokens: list[str] = []
    for chunk in text.lower().split():
        parts = [p for p in _SPLIT.split(chunk) if p]
        tokens.extend(p for p in parts if p not in _STOP and (len(p) > 1 or p.isdigit()))
        if len(parts) > 1:
            tokens.append("".join(parts))
    return tokens


@dataclass(frozen=True)
class KeywordHit:
    index: int  # position in the indexed product list
    score: float
    terms: tuple[str, ...]  # query terms found in the product


class KeywordIndex:
    """BM25 over product texts; `search` takes an optional boolean mask of allowed items."""

    def __init__(self, texts: Sequence[str]) -> None:
        import bm25s

        self.doc_tokens = [set(tokenize(t)) for t in texts]
        self.size = len(texts)
        self.model = bm25s.BM25()
        # bm25s needs at least one token per document; an empty text gets a placeholder.
        self.model.index([list(toks) and tokenize(t) or ["<empty>"] for toks, t in zip(self.doc_tokens, texts)],
                         show_progress=False)
        self.vocab = self.model.vocab_dict

    def search(self, query: str, k: int, *, mask: np.ndarray | None = None) -> list[KeywordHit]:
        terms = [t for t in dict.fromkeys(tokenize(query)) if t in self.vocab]
        if not terms or k < 1 or self.size == 0:
            return []
        scores = self.model.get_scores(terms)  # (n_products,)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, self.size)
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [KeywordHit(int(i), float(scores[i]), tuple(t for t in terms if t in self.doc_tokens[i]))
                for i in top if scores[i] > 0]
