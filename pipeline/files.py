"""Reading a file the user named: a regular file only, and never more than a cap.

The size on disk is not trusted (a device such as /dev/zero reports 0 bytes and never ends):
at most cap + 1 bytes are read, and one byte too many refuses the file. The file is opened
with O_NONBLOCK and its kind checked on the open descriptor, so a FIFO never blocks the run
and nothing can be swapped in between the check and the read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipeline.errors import FileRefused

CHUNK = 1 << 20


def read_capped(path: str | Path, cap: int, what: str = "a file") -> bytes:
    """The bytes of the regular file `path`, at most `cap` of them; FileRefused otherwise."""
    name = str(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise FileRefused(name, "no such file", "check the path") from None
    except OSError as exc:
        raise FileRefused(name, f"cannot be read ({exc.strerror})", "check the path and its permissions") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise FileRefused(name, "is a folder", f"give {what}, not a folder")
        if not stat.S_ISREG(mode):
            raise FileRefused(name, "is not a regular file (a device, a pipe or a socket)", f"give {what} saved on disk")
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= cap and (chunk := os.read(fd, min(CHUNK, cap + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise FileRefused(name, f"cannot be read ({exc.strerror})", "check the path and its permissions") from None
    finally:
        os.close(fd)
    if size > cap:
        raise FileRefused(name, f"the file is larger than {cap / 2**20:g} MB", f"give {what}; check you passed the right file")
    return b"".join(chunks)
