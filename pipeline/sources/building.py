"""The temporary file an index is built in, and the leftovers of builds that were killed.

`factcheck index` writes `.<db name>.<pid>.building` beside the index and renames it into place
when complete. A build killed by SIGKILL (or a power cut) cannot remove its file; the next build
of the same index removes every one whose process is gone.
"""

from __future__ import annotations

import os
from pathlib import Path


def building_path(db: Path, pid: int | None = None) -> Path:
    return db.with_name(f".{db.name}.{os.getpid() if pid is None else pid}.building")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, run by someone else
        return True
    return True


def remove_stale(db: Path) -> list[Path]:
    """Remove the .building files of `db` left by processes that no longer run; the removed."""
    removed = []
    prefix = f".{db.name}."
    for path in db.parent.glob(f".{db.name}.*.building"):
        pid = path.name[len(prefix):-len(".building")]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
