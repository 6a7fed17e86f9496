"""Keyword search with BM25 (`bm25s`), over the same product text the embedder sees.

Product catalogs live on model numbers: "KDL-40V4100" and "KDL40V4100" must meet, so the
tokenizer keeps each word both split at punctuation and joined ("kdl", "40v4100",
"kdl40v4100"). A query reads only the posting lists of its own terms (the precomputed BM25 scores in
`bm25s`' sparse index) and ranks only the products that contain one of them: the cost grows with
the matches, not with the catalog. Filters are a boolean mask over the catalog.
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

        tokens = [tokenize(t) for t in texts]
        self.doc_tokens = [set(toks) for toks in tokens]
        self.size = len(texts)
        self.model = bm25s.BM25()
        # bm25s needs at least one token per document; an empty text gets a placeholder.
        self.model.index([toks or ["<empty>"] for toks in tokens], show_progress=False)
        self.vocab = self.model.vocab_dict

    def search(self, query: str, k: int, *, mask: np.ndarray | None = None) -> list[KeywordHit]:
        """The k best products containing a query term (and passing `mask`), best first; ties by position."""
        terms = [t for t in dict.fromkeys(tokenize(query)) if t in self.vocab]
        if not terms or k < 1 or self.size == 0:
            return []
        rows, scores = self.scores([self.vocab[t] for t in terms], mask)
        if rows.size == 0:
            return []
        k = min(k, rows.size)
        if k < rows.size:  # the k best by score; equal scores at the cut all stay in, then the order decides
            cut = np.partition(scores, rows.size - k)[rows.size - k]
            keep = scores >= cut
            rows, scores = rows[keep], scores[keep]
        order = np.lexsort((rows, -scores))[:k]  # best score first, then catalog position: deterministic
        return [KeywordHit(int(rows[i]), float(scores[i]), tuple(t for t in terms if t in self.doc_tokens[rows[i]]))
                for i in order]

    def scores(self, token_ids: Sequence[int], mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(positions, BM25 scores) of the products holding at least one of the tokens and passing `mask`.

        The same sums as `bm25s.BM25.get_scores` (float32, term by term), read from the posting lists
        of the query's tokens only: a document appears once per posting list, so a fancy-indexed add is
        exact. Only the matching products are ranked (no sort or partition over the whole catalog)."""
        index = self.model.scores
        data, indices, indptr = index["data"], index["indices"], index["indptr"]
        spans = [(int(indptr[t]), int(indptr[t + 1])) for t in token_ids]
        acc = np.zeros(self.size, dtype=data.dtype)  # calloc: only the pages touched cost anything
        touched = 0
        for start, end in spans:
            acc[indices[start:end]] += data[start:end]
            touched += end - start
        if touched * 16 < self.size:  # few postings: collect them, else one scan of the accumulator is cheaper
            rows = np.unique(np.concatenate([indices[start:end] for start, end in spans]))
        else:
            rows = np.flatnonzero(acc)
        scores = acc[rows]
        if self.model.nonoccurrence_array is not None:  # BM25L / BM25+: a constant for every document
            scores += self.model.nonoccurrence_array[np.asarray(token_ids)].sum()
        if mask is not None:
            keep = mask[rows]
            rows, scores = rows[keep], scores[keep]
        positive = scores > 0
        return rows[positive], scores[positive]
