"""Ingestion into a real Chroma PersistentClient with the real embedder: mappings, bad rows, re-ingest."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from assistant.settings import Settings
from data.errors import CatalogError
from retrieval.ingest import ingest_catalog, parse_mapping, resolve_mapping
from retrieval.store import ProductStore, open_client


@pytest.fixture
def store(settings, embedder) -> ProductStore:
    return ProductStore(open_client(None, settings.index_dir), embedder, settings.retrieval.changed(collection="tests"))


def with_catalog(settings: Settings, path, mapping=None) -> Settings:
    return settings.model_copy(update={"retrieval": settings.retrieval.model_copy(update={"catalog": path, "mapping": mapping})})


@pytest.mark.parametrize("columns,explicit,expected", [
    (["id", "title", "description"], {}, {}),
    (["id", "name", "description", "price"], {}, {"title": "name"}),
    (["sku", "product_name", "manufacturer"], {}, {"id": "sku", "title": "product_name", "brand": "manufacturer"}),
    (["id", "name", "headline"], {"title": "headline"}, {"title": "headline"}),
])
def test_resolve_mapping(columns, explicit, expected):
    mapping, _ = resolve_mapping(columns, explicit)
    assert mapping == expected


@pytest.mark.parametrize("columns,explicit,message", [
    (["id", "title"], {"colour": "c"}, "unknown field"),
    (["id", "title"], {"brand": "maker"}, "not in the catalog"),
    (["id", "colour", "size"], {}, "no text column"),
    (["title", "description"], {}, "no id column"),
])
def test_unusable_columns_are_refused_with_what_was_found(columns, explicit, message):
    with pytest.raises(CatalogError) as info:
        resolve_mapping(columns, explicit)
    assert message in info.value.message
    assert "colour" in str(info.value) or columns[0] in str(info.value)


def test_parse_mapping_rejects_garbage():
    assert parse_mapping("title=name, brand=manufacturer") == {"title": "name", "brand": "manufacturer"}
    with pytest.raises(CatalogError):
        parse_mapping("title")


def test_bad_rows_are_reported_and_the_rest_lands(settings, store, tmp_path):
    path = tmp_path / "shop.csv"
    path.write_text(
        "id,name,description,price,colour\n"
        "A1,Red kettle,Electric kettle,29.99,red\n"
        "A2,Blue mug,Ceramic mug,not a price,blue\n"  # line 3: non-numeric price
        "A1,Red kettle again,Duplicate,10,red\n"  # line 4: duplicate id
        'A3,Green teapot,Cast iron teapot,"$1,299.00",green\n'  # line 5: currency text is fine
        "A4,,,5,grey\n"  # line 6: no text
        "A5,Chef knife,Steel knife,45,silver\n",
        encoding="utf-8",
    )
    report = ingest_catalog(with_catalog(settings, path).retrieval, settings.index_dir, store=store)
    assert sorted(p.id for p in report.products) == ["A1", "A3", "A5"]
    reasons = {e.line: e.reason for e in report.errors}
    assert "price is not a number" in reasons[3]
    assert "duplicate id 'A1'" in reasons[4]
    assert "no text" in reasons[6]
    assert next(p for p in report.products if p.id == "A3").price == 1299.0
    assert report.mapping == {"title": "name"} and report.ignored_columns == ["colour"]
    assert store.count() == 3
    assert "skipped 3 bad rows" in report.summary()


def test_reingest_upserts_changes_deletes_removed_and_skips_unchanged(settings, tiny_catalog, tmp_path):
    first = ingest_catalog(settings.retrieval, settings.index_dir)
    assert first.synced == {"added_or_updated": 6, "deleted": 0, "unchanged": 0}
    again = ingest_catalog(settings.retrieval, settings.index_dir)
    assert again.synced["unchanged"] == 6
    assert again.store.embedder._model is None  # nothing to embed: the embedder is never loaded
    rows = [json.loads(line) for line in tiny_catalog.read_text().splitlines()]
    rows[0]["price"] = 79.0
    edited = tmp_path / "edited.jsonl"
    edited.write_text("".join(json.dumps(r) + "\n" for r in rows[:-1]), encoding="utf-8")
    changed = ingest_catalog(with_catalog(settings, edited).retrieval, settings.index_dir)
    assert changed.synced == {"added_or_updated": 1, "deleted": 1, "unchanged": 4}
    got = changed.store.collection.get(ids=["J1"], include=["metadatas"])
    assert got["metadatas"][0]["price"] == 79.0  # a number, so range filters work
    assert changed.store.count() == 5


def test_cli_ingest_with_mapping(tmp_path, isolated_home):
    from ui.cli import cli

    path = tmp_path / "c.csv"
    path.write_text("sku,headline,body,maker,cost\nX1,Trail shoe,Grippy running shoe,Stride,99\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", str(path), "-m", "title=headline,description=body", "-m", "id=sku"])
    assert result.exit_code == 0, result.output
    assert "1 added or updated" in result.output and "brand <- maker" in result.output
    bad = CliRunner().invoke(cli, ["ingest", str(path), "-m", "title=nope"])
    assert bad.exit_code == 1 and "not in the catalog" in bad.output and "Traceback" not in bad.output
