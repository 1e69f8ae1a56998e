"""The bundled demo account in sample_data/: what the app shows until the seller loads their own."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from core import ingest

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
