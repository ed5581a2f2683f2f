"""Writing a file so that a crash leaves either the old content or the new, never half."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO

# New bytes a long write leaves in memory before the kernel is asked to start writing them out.
WRITEBACK_BYTES = 4 * 1024 * 1024


def write_atomically(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write via a temporary file in the same directory, fsync, rename into place, and fsync
    the directory so the rename itself survives a power cut. ``mode``: the file's permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        if mode is not None:
            os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Make a rename (or a new entry) in ``directory`` durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class EarlyWriteback:
    """Starts the disk writes of a file being appended to while more bytes still arrive.

    Linux keeps written pages in memory until a sync (or its dirty-page timers, seconds later)
    sends them out, so an upload's ``fsync`` after the last byte waited for the whole file at
    once (a 20 MiB upload: about 10 ms of a quiet disk, with nothing else left to overlap).
    ``posix_fadvise(POSIX_FADV_DONTNEED)`` on every ``WRITEBACK_BYTES`` just written starts
    their writeback without waiting for it (pages still dirty stay cached; only those already
    clean are dropped, and the upload's bytes are not read back but for their head): the disk
    writes while the request reads and hashes, and the final ``fsync``, which is still what
    makes the bytes durable, waits only for the last few MiB. A no-op where the call is missing.
    """

    def __init__(self, handle: IO[bytes], start: int = 0) -> None:
        self._handle = handle
        self._start = start  # the first byte not yet handed to the kernel's writeback

    def wrote_to(self, end: int) -> None:
        """The file now holds ``end`` bytes (its buffer may still hold the last of them)."""
        if end - self._start < WRITEBACK_BYTES or not hasattr(os, "posix_fadvise"):
            return
        self._handle.flush()
        length = end - self._start
        with contextlib.suppress(OSError):  # advice only: a file system may not take it
            os.posix_fadvise(self._handle.fileno(), self._start, length, os.POSIX_FADV_DONTNEED)
        self._start = end
