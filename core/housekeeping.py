"""What a killed or crashed run leaves beside the database, cleared at the next start; the upload
folders the app copies files into; and ``compact``, which drops replaced rows no removal needs.

DuckDB spills a large load to ``<database>.tmp`` (a folder of ``duckdb_temp_*`` files) and removes it
when the connection closes; a kill leaves it, up to the size of the largest load (1.9 GB seen). The
app copies each upload into ``uploads/upload-*`` beside the database and deletes it after the load; a
kill leaves that copy (245 MB seen). Both are cleared when the database is next opened for writing
(``core.db.ensure_schema``, once per process: the app's start, each command), and only then: the
spill only while this process holds the database's lock (no other process can be spilling into it),
the upload folders only where no live process holds their lock file (``upload_folder``).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = ".in-use"


def spill_folder(db_path: Path) -> Path:
    """DuckDB's default temp directory for a database file: ``<file>.tmp`` beside it."""
    return db_path.with_name(db_path.name + ".tmp")


def uploads_folder(db_path: Path) -> Path:
    return db_path.parent / "uploads"


def clean_after_crash(db_path: Path) -> int:
    """Remove the spill folder of ``db_path`` and the upload folders no live process uses; returns the
    bytes freed. Call only while holding the database's lock, before this process's first query
    (``core.db.ensure_schema`` does)."""
    freed = 0
    spill = spill_folder(db_path)
    if spill.is_dir():
        freed += _size(spill)
        shutil.rmtree(spill, ignore_errors=True)
    uploads = uploads_folder(db_path)
    if uploads.is_dir():
        for folder in uploads.glob("upload-*"):
            if folder.is_dir() and not _in_use(folder):
                freed += _size(folder)
                shutil.rmtree(folder, ignore_errors=True)
    return freed


@contextmanager
def upload_folder(db_path: Path) -> Iterator[Path]:
    """A fresh folder in ``uploads/`` beside the database for one upload's copy, gone afterwards. Its
    lock file is held (``flock``) while the folder is in use, so that a start of another process
    clears it only after this one died."""
    uploads = uploads_folder(db_path)
    uploads.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=uploads))
    try:
        with open(folder / LOCK_NAME, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _in_use(folder: Path) -> bool:
    """Whether a live process holds the folder's lock file. A folder without one (made before the lock
    existed, or killed between its making and the lock) counts as in use only while younger than a
    minute."""
    lock = folder / LOCK_NAME
    try:
        handle = open(lock, "r")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        import time
        return time.time() - folder.stat().st_mtime < 60
    except OSError:
        return True
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def _size(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            try:
                total += (Path(root) / name).stat().st_size
            except OSError:
                pass
    return total


# --- compaction -----------------------------------------------------------------------------------

KEEP_IMPORTS = 10


@dataclass(frozen=True)
class Compaction:
    """What ``compact`` did. ``kept_restore_points``: the imports (newest first) whose removal still
    restores what they replaced; ``compacted_imports``: the older imports whose replaced rows went."""

    bytes_before: int
    bytes_after: int
    rows_dropped: int
    kept_restore_points: tuple[int, ...]
    compacted_imports: tuple[int, ...]

    def to_json(self) -> dict:
        return {"bytes_before": self.bytes_before, "bytes_after": self.bytes_after,
                "bytes_saved": self.bytes_before - self.bytes_after, "rows_dropped": self.rows_dropped,
                "kept_restore_points": list(self.kept_restore_points),
                "compacted_imports": list(self.compacted_imports)}


def file_bytes(db_path: Path) -> int:
    """The database's size on disk: the file and its journal (``.wal``)."""
    return sum(p.stat().st_size for p in (db_path, db_path.with_name(db_path.name + ".wal")) if p.exists())


def compact(db_path: Path, keep_imports: int = KEEP_IMPORTS) -> Compaction:
    """Drop the replaced rows no removal of the ``keep_imports`` newest imports needs, then rewrite the
    file without the space they held.

    A row replaced by one of the newest ``keep_imports`` imports stays (removing that import brings it
    back); a row replaced by an older import goes, and that import is noted in ``compacted_imports``
    so that removing it later says its restore point is gone instead of silently restoring nothing.
    Current rows (every view) are untouched. DuckDB reuses freed space but never gives it back to the
    disk (DELETE, CHECKPOINT and VACUUM leave the file its size), so the database is copied into a
    fresh file (``COPY FROM DATABASE``) that then replaces it; the lock is held throughout.
    """
    from core import db
    from core.schemas import SCHEMAS

    if keep_imports < 0:
        raise ValueError("--keep-imports must be 0 or more")
    db_path = Path(db_path)
    if db.is_read_only(db_path):
        raise db.DatabaseReadOnly(db_path, db.read_only_reason(db_path))
    before = file_bytes(db_path)
    fresh = db_path.with_name(db_path.name + ".compact")
    for leftover in (fresh, fresh.with_name(fresh.name + ".wal")):
        leftover.unlink(missing_ok=True)
    with db.writing(db_path) as con:
        kept = tuple(r[0] for r in con.execute("SELECT import_id FROM imports ORDER BY import_id DESC "
                                               "LIMIT $n", {"n": keep_imports}).fetchall())
        dropped: dict[int, int] = {}
        con.execute("BEGIN TRANSACTION")
        try:
            for schema in SCHEMAS:
                rows = f"{schema.table}_rows"
                condition = "superseded_by IS NOT NULL AND NOT list_contains($kept, superseded_by)"
                for import_id, count in con.execute(f"SELECT superseded_by, count(*) FROM {rows} "
                                                    f"WHERE {condition} GROUP BY ALL", {"kept": list(kept)}
                                                    ).fetchall():
                    dropped[import_id] = dropped.get(import_id, 0) + count
                con.execute(f"DELETE FROM {rows} WHERE {condition}", {"kept": list(kept)})
            for import_id, count in dropped.items():
                con.execute("INSERT INTO compacted_imports VALUES ($id, $n, now()::TIMESTAMP) ON CONFLICT "
                            "(import_id) DO UPDATE SET rows_dropped = rows_dropped + excluded.rows_dropped, "
                            "compacted_at = excluded.compacted_at", {"id": import_id, "n": count})
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("CHECKPOINT")
        name = con.execute("SELECT current_database()").fetchone()[0]
        try:
            con.execute("ATTACH $fresh AS compact_fresh", {"fresh": str(fresh)})
            con.execute(f'COPY FROM DATABASE "{name}" TO compact_fresh')
            con.execute("DETACH compact_fresh")
            # Replaced while the lock is still held: a process waiting for it opens the new file.
            os.replace(fresh, db_path)
        except BaseException:
            fresh.unlink(missing_ok=True)
            raise
    return Compaction(before, file_bytes(db_path), sum(dropped.values()), kept, tuple(sorted(dropped)))


def restore_compacted_away(con, import_id: int) -> str | None:
    """Why removing ``import_id`` would not bring back what it replaced (``compact`` dropped those
    rows), or None when it would."""
    try:
        found = con.execute("SELECT rows_dropped, compacted_at FROM compacted_imports WHERE import_id = $id",
                            {"id": import_id}).fetchone()
    except Exception:  # noqa: BLE001 (a database from before compaction existed has no ledger)
        return None
    if found is None:
        return None
    rows, when = found
    return (f"import #{import_id}'s restore point was compacted away on {when:%Y-%m-%d} (`fba-health "
            f"compact` dropped the {rows:,} earlier row{'s' if rows != 1 else ''} it had replaced): removing it "
            f"would not bring them back, and the rows it holds now would be gone with nothing in their place. Load a newer file of the same report "
            f"instead, or remove it anyway with `fba-health remove {import_id} --without-restore`.")
