"""Retention report: most at risk first, offers within the store rules, grounded messages."""

from __future__ import annotations

import csv
import json
import re

import pytest
from click.testing import CliRunner

from assistant.customers.profile import load_profile_book
from assistant.customers.retention import plan_outreach, write_report
from data import DEMO_DIR
from data.load import load_catalog, load_policies

POLICIES = load_policies(DEMO_DIR / "policies")


@pytest.fixture(scope="module")
def book():
    catalog = {p.id: p for p in load_catalog(DEMO_DIR / "catalog.jsonl").records}
    return load_profile_book(DEMO_DIR, catalog)


def test_outreach_is_ranked_grounded_and_within_policy(book):
    rows = plan_outreach(book, POLICIES, top=15)
    assert len(rows) == 15
    risks = [r.churn_risk for r in rows]
    assert risks == sorted(risks, reverse=True) and all(r.churn_tier == "high" for r in rows)
    for row in rows:
        assert row.reasons and row.value_at_stake > 0
        assert row.offer in {"10 % off the next order with code WELCOME10", "free express shipping on the next order"}
        assert set(re.findall(r"\b[A-Z]{4,}\d+\b", row.message)) <= {"WELCOME10"}  # no invented codes
        for product_id in row.products.split("|"):
            product = book.catalog[product_id]
            assert product.stock > 0 and product.title in row.message and f"${product.price:.2f}" in row.message
            liked = book.view(row.customer_id).top_categories
            assert product.category in liked or not liked  # no favourites (e.g. everything returned): best sellers


def test_sort_by_value_and_no_offer_without_policy(book):
    rows = plan_outreach(book, {}, top=5, sort="value")
    values = [r.value_at_stake for r in rows]
    assert values == sorted(values, reverse=True)
    assert all(r.offer == "" and "WELCOME10" not in r.message for r in rows)


def test_report_files(book, tmp_path):
    rows = plan_outreach(book, POLICIES, top=5)
    csv_path, html_path = write_report(rows, book, tmp_path)
    with csv_path.open() as f:
        assert [r["customer_id"] for r in csv.DictReader(f)] == [r.customer_id for r in rows]
    page = html_path.read_text()
    assert page.count("data:image/png;base64,") == 2 and rows[0].customer_id in page
    assert "@example.com" not in page


def test_cli_retention_report(tmp_path):
    from ui.cli import cli

    result = CliRunner().invoke(cli, ["retention", "report", "--top", "3", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["customers"] == 3 and (tmp_path / "retention.html").exists()


def test_cli_profiles_build_export_forget(tmp_path):
    from ui.cli import cli

    runner = CliRunner()
    built = runner.invoke(cli, ["profiles", "build"])
    assert built.exit_code == 0, built.output
    assert json.loads(built.stdout.strip().splitlines()[-1])["customers"] == 240
    exported = runner.invoke(cli, ["profiles", "export", "C0005"])
    assert json.loads(exported.stdout)["customer_id"] == "C0005"
    assert runner.invoke(cli, ["profiles", "forget", "C0005", "--yes"]).exit_code == 0
    again = runner.invoke(cli, ["profiles", "export", "C0005"])
    assert again.exit_code != 0 and "unknown customer" in again.output
