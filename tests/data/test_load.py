"""Loaders keep every good row and name every bad one by line."""

import pytest

from data.errors import CatalogError
from data.load import load_catalog, load_orders

CSV = """id,title,description,category,brand,price
A1,Good lamp,A warm desk lamp,home,Lumo,19.99
A2,,,home,Lumo,5
A3,Cheap mug,Ceramic mug,kitchen,Ferro,abc
A4,Plain mug,Ceramic mug,kitchen,Ferro,-3
A1,Second lamp,Duplicate id,home,Lumo,9
A5,Big rug,Wool rug,home,Nordlund,$1,299.00
"""


def test_bad_rows_are_reported_by_line_and_good_rows_kept(tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(CSV)
    loaded = load_catalog(path)
    assert [p.id for p in loaded.records] == ["A1"]
    reasons = {e.line: e.reason for e in loaded.errors}
    assert "no text" in reasons[3]
    assert "not a number" in reasons[4]
    assert "out of range" in reasons[5]
    assert "duplicate id 'A1'" in reasons[6]
    assert "more field(s) than the header" in reasons[7]


def test_jsonl_with_a_broken_line_keeps_the_rest(tmp_path):
    path = tmp_path / "catalog.jsonl"
    path.write_text('{"id": "1", "title": "Tent"}\n{not json\n{"id": "2", "title": "Stove", "price": "12.5"}\n')
    loaded = load_catalog(path)
    assert [p.id for p in loaded.records] == ["1", "2"]
    assert loaded.records[1].price == 12.5
    assert loaded.errors[0].line == 2 and "invalid JSON" in loaded.errors[0].reason


@pytest.mark.parametrize("content,suffix", [(None, ".csv"), ("x", ".xlsx"), ("id,title\n", ".csv")])
def test_unusable_catalog_is_one_clear_error(tmp_path, content, suffix):
    path = tmp_path / f"catalog{suffix}"
    if content is not None:
        path.write_text(content)
    with pytest.raises(CatalogError) as error:
        load_catalog(path)
    assert error.value.hint


def test_order_rows_are_validated(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,customer_id,date,product_id,quantity,unit_price,status\n"
                    "O1,C1,2026-01-02,P1,1,10,delivered\n"
                    "O2,C1,yesterday,P1,1,10,delivered\n"
                    "O3,C1,2026-01-02,P1,0,10,delivered\n"
                    "O4,C1,2026-01-02,P1,1,10,lost\n")
    loaded = load_orders(path)
    assert [o.order_id for o in loaded.records] == ["O1"]
    assert [e.line for e in loaded.errors] == [3, 4, 5]
