"""The bundled demo account in sample_data/: what the app shows until the seller loads their own."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from core import costs, db, ingest

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
TEMPLATE = SAMPLE_DIR / "product_costs_template.csv"


def manifest(sample_dir: Path = SAMPLE_DIR) -> dict:
    return json.loads((sample_dir / "manifest.json").read_text(encoding="utf-8"))


def load_sample(db_path: Path, sample_dir: Path = SAMPLE_DIR, progress=None) -> list[ingest.LoadResult]:
    """Load every file of the demo account, dated as of its own as-of day, marked as sample data."""
    info = manifest(sample_dir)
    as_of = dt.date.fromisoformat(info["as_of"])
    files = sorted(info["files"])
    results = []
    for n, name in enumerate(files):
        if progress:
            progress(n / len(files), f"Loading demo file {name}")
        results.append(ingest.load_report(db_path, sample_dir / name, snapshot_date=as_of, is_sample=True))
    return results


def demo_info(db_path: Path) -> dict | None:
    """``{"skus": n, "as_of": date}`` while the demo account is loaded, else None."""
    with db.connect(db_path) as con:
        as_of = con.execute("SELECT max(coalesce(snapshot_date, date_max)) FROM imports WHERE is_sample"
                            ).fetchone()[0]
        if as_of is None:
            return None
        skus = con.execute(f"SELECT count(DISTINCT sku) FROM ({costs.known_skus_sql()})").fetchone()[0]
    return {"skus": skus, "as_of": as_of}
