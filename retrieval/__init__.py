"""Product search: the catalog indexed in Chroma (dense) and BM25 (keywords), filters read from the words, fusion and re-ranking; configured by `config.RetrievalSettings`."""
