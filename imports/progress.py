"""How far a running import job has got: a small JSON file per job under ``VAR_DIR/uploads``.

Not a database row: the import's transaction holds SQLite's write lock until it commits (and on
PostgreSQL its own writes stay invisible until then), so nothing written through the database
while it runs could be read by the status page. A file is seen at once by every process on the
machine, as the uploaded files themselves are.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

# A running job reports at least this often (each 5,000 rows checked, each chunk stored); one that
# has said nothing for this long is taken to have stopped with its process.
_EVERY = 0.5  # seconds between two writes of the file, at most


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def job_upload_path(job_id: int) -> Path:
    """Where a job's uploaded file is kept while the job needs it."""
    return upload_dir() / f"job-{job_id}.upload"


def job_upload_id(path: Path) -> int | None:
    """The job whose uploaded file ``path`` is (:func:`job_upload_path`), or None."""
    number = path.name.removeprefix("job-").removesuffix(".upload")
    return int(number) if number.isdigit() and path.name == f"job-{number}.upload" else None


def progress_path(job_id: int) -> Path:
    return upload_dir() / f"job-{job_id}.progress.json"


@dataclass(frozen=True)
class Progress:
    phase: str
    done: int
    total: int
    at: float  # time.time() of the report

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def stalled(self) -> bool:
        return time.time() - self.at > settings.BACKGROUND_STALE_SECONDS


class ProgressFile:
    """The import's ``progress`` callback for one job: writes the file, at most every half
    second (and always on a new phase or the phase's last row)."""

    def __init__(self, job_id: int):
        self.path = progress_path(job_id)
        self._last: tuple[str, float] = ("", 0.0)

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.time()
        last_phase, last_at = self._last
        if phase == last_phase and done < total and now - last_at < _EVERY:
            return
        self._last = (phase, now)
        progress_write(self.path, Progress(phase=phase, done=done, total=total, at=now))


def progress_write(path: Path, progress: Progress) -> None:
    """Write the whole file at once (a reader never sees half of it)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(
        json.dumps({"phase": progress.phase, "done": progress.done, "total": progress.total, "at": progress.at})
    )
    os.replace(partial, path)


def progress_read(job_id: int) -> Progress | None:
    try:
        data = json.loads(progress_path(job_id).read_text())
        return Progress(
            phase=str(data["phase"]), done=int(data["done"]), total=int(data["total"]), at=float(data["at"])
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def progress_remove(job_id: int) -> None:
    progress_path(job_id).unlink(missing_ok=True)
