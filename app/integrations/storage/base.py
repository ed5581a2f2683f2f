"""What every document store does: content-addressed blobs, written once, read as streams.

Blobs are named by the SHA-256 of their bytes, so identical content is kept once however
often it is uploaded, and putting a blob that is already there changes nothing. Uploads are
spooled to a local temp file first (hashed on the way, see ``spool``), judged, and only then
committed to the store under their hash; the temp files live in ``<area>/tmp`` under
``DATA_DIR`` whichever store keeps the blobs.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, BinaryIO, TypeVar

from app.errors import StorageUnavailable  # noqa: F401  (raised by the stores)
from app.integrations.storage.spool import SpoolFile, StoredFile, spool_stream, sweep_temp

T = TypeVar("T")


class DocumentStore(ABC):
    """One area's blobs (documents, licences, notices), local or in an object store."""

    def __init__(self, spool_root: str | os.PathLike[str]) -> None:
        self.tmp_dir = Path(spool_root) / "tmp"

    @abstractmethod
    def exists(self, sha256: str) -> bool:
        """Whether the blob is stored."""

    @abstractmethod
    def open(self, sha256: str) -> BinaryIO:
        """A stream of the blob's bytes (the caller closes it); FileNotFoundError if absent."""

    def read_bytes(self, sha256: str) -> bytes:
        """The whole blob, for small ones (generated PDFs)."""
        with self.open(sha256) as stream:
            return stream.read()

    def put_bytes(self, data: bytes) -> str:
        """Store ``data`` under its hash (unless already there) and return the hash."""
        spool = SpoolFile(self.tmp_dir, kind="put")
        try:
            spool.write(data)
            sha256 = spool.stored().sha256
        except BaseException:
            spool.close()
            raise
        self.commit(spool.keep(), sha256)
        return sha256

    def put_bytes_beside(self, data: bytes, work: Callable[[], T]) -> tuple[str, T]:
        """``put_bytes(data)`` in a second thread while ``work`` runs in this one; both
        finish before this returns (an error of either is raised). Issuing writes the signed
        PDF so while the OFD is laid out and sealed: the PDF's fsyncs wait on the disk while
        the OFD has the CPU."""
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="put") as writer:
            written = writer.submit(self.put_bytes, data)
            result = work()
            return written.result(), result

    @abstractmethod
    def commit(self, tmp: Path, sha256: str, *, synced: bool = False) -> None:
        """Store a spooled file under its hash (keeping an existing copy) and drop the temp;
        ``synced``: its bytes are on disk already (``StoredFile.synced``)."""

    @abstractmethod
    def remove(self, sha256: str) -> None:
        """Delete the bytes of a blob no row refers to any more."""

    def spool(self, stream: IO[bytes], max_bytes: int) -> tuple[Path, StoredFile]:
        """A hashed local temp file of ``stream``; TooLarge past ``max_bytes``."""
        return spool_stream(self.tmp_dir, stream, max_bytes)

    def discard(self, tmp: Path) -> None:
        tmp.unlink(missing_ok=True)

    def sweep_temp(self, older_than_seconds: float) -> int:
        """Remove temp files a killed worker left half-written; return how many."""
        return sweep_temp(self.tmp_dir, older_than_seconds)
