"""Keyword search: model numbers must meet however they are punctuated."""

from __future__ import annotations

import numpy as np

from retrieval.bm25 import KeywordIndex, tokenize


def test_tokenize_keeps_split_and_joined_model_numbers():
    tokens = tokenize("Sony KDL-40V4100 Wi-Fi")
    assert {"sony", "kdl", "40v4100", "kdl40v4100", "wifi"} <= set(tokens)


def test_model_number_without_dash_finds_the_dashed_product():
    index = KeywordIndex(["Sony Bravia KDL-40V4100 LCD TV", "Sony Bravia KDL-46V4100 LCD TV", "Bose speaker AM53BK"])
    hits = index.search("Sony Bravia 40 LCD TV KDL40V4100", 3)
    assert hits[0].index == 0
    assert "kdl40v4100" in hits[0].terms


def test_mask_excludes_items_and_unknown_words_give_nothing():
    index = KeywordIndex(["red shoe", "red hat", ""])
    assert [h.index for h in index.search("red", 3, mask=np.array([False, True, True]))] == [1]
    assert index.search("zzzz qqqq", 3) == []
    assert index.search("", 3) == []
