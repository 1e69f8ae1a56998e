"""Product costs: SKUs without a cost are flagged, and the editor's table saves like an upload."""

import duckdb
import pandas as pd
import pytest

from core import costs, ingest
from tests.reportfiles import header, order_row, write_report


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "c.duckdb"
    ingest.load_report(path, write_report(tmp_path / "o.txt", header("orders_2026_34"),
                                          [order_row("1", "A"), order_row("2", "B"), order_row("3", "C")]))
    ingest.load_report(path, write_report(tmp_path / "c.csv", ["sku", "unit_cost", "moq"],
                                          [{"sku": "A", "unit_cost": "4.25", "moq": 100}], delimiter=","))
    return path


def test_every_known_sku_is_listed_missing_costs_first(db_path):
    table = costs.cost_table(db_path)
    assert table[["sku", "cost_missing"]].values.tolist() == [["B", True], ["C", True], ["A", False]]
    assert table.loc[table.sku == "A", "unit_cost"].item() == 4.25
    assert table.loc[table.sku == "A", "product_name"].item() == "Product A"


def test_saving_the_edited_table_replaces_all_costs(db_path):
    edited = costs.cost_table(db_path)
    edited.loc[edited.sku == "B", ["unit_cost", "case_pack"]] = [2.5, 12.0]
    edited = edited[edited.sku != "A"]  # the seller deleted A's row
    result = costs.save_product_costs(db_path, edited)
    assert (result.status, result.rows_loaded, result.rows_replaced) == ("loaded", 1, 1)
    con = duckdb.connect(str(db_path))
    assert con.execute("SELECT sku, unit_cost, case_pack FROM product_costs").fetchall() == [("B", 2.5, 12)]
    con.close()


def test_a_bad_edit_is_rejected_and_changes_nothing(db_path):
    edited = pd.DataFrame({"sku": ["A"], "unit_cost": ["four dollars"]})
    result = costs.save_product_costs(db_path, edited)
    assert result.status == "rejected" and '"unit_cost"' in result.errors[0]
    assert costs.cost_table(db_path).loc[lambda t: t.sku == "A", "unit_cost"].item() == 4.25
