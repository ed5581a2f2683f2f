"""The request class whose multipart parser writes uploaded files straight into the store.

werkzeug spools each uploaded part to a temporary file (or memory) of its own; the document
service then copied it into the store's temp folder while hashing, and an ``Idempotency-Key``
read it a third time. Here the parser writes each part into a ``SpoolFile`` in the
documents store's temp folder, which hashes as it writes: the upload is parsed, hashed and
written once, and committed by a rename (or sent on to the object store) without another
read. Every part the request spooled — stored, refused, or cut off by a client that went
away mid-upload — is closed when the request ends, which removes its file unless the store
took it.
"""

from __future__ import annotations

from typing import IO, Any

from flask import Request

from app.integrations.storage import SpoolFile, storage_for

UPLOAD_AREA = "documents"


class SpoolingRequest(Request):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._spools: list[SpoolFile] = []

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        spool = SpoolFile(storage_for(UPLOAD_AREA).tmp_dir)
        self._spools.append(spool)  # a parse that fails midway never hands it to ``files``
        return spool  # type: ignore[return-value]

    def close(self) -> None:
        super().close()
        for spool in self._spools:
            spool.close()
