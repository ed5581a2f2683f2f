"""Where uploaded documents and generated PDFs are kept: one interface, two stores.

``storage_for(area)`` is the one place a store is built, from the configuration:
``STORAGE_BACKEND=local`` (the default) keeps blobs under ``DATA_DIR/<area>/blobs``;
``STORAGE_BACKEND=s3`` keeps them in ``S3_BUCKET`` so several app servers share them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import current_app

from app.integrations.storage.base import DocumentStore, StorageUnavailable
from app.integrations.storage.local import FileStorage
from app.integrations.storage.s3 import S3Storage, s3_client
from app.integrations.storage.spool import (
    SpoolFile,
    StoredFile,
    TooLarge,
    content_sha256,
    owner_prefix,
)

__all__ = [
    "DocumentStore",
    "FileStorage",
    "S3Storage",
    "SpoolFile",
    "StorageUnavailable",
    "StoredFile",
    "TooLarge",
    "content_sha256",
    "owner_prefix",
    "storage_for",
]


def storage_for(area: str, config: Mapping[str, Any] | None = None) -> DocumentStore:
    """The store of one area (``documents``, ``licences``, ``notices``) as configured."""
    config = current_app.config if config is None else config
    spool_root = Path(config["DATA_DIR"]) / area
    if config.get("STORAGE_BACKEND", "local") == "s3":
        prefix = config.get("S3_PREFIX", "")
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return S3Storage(
            spool_root,
            client=s3_client(config.get("S3_ENDPOINT_URL", ""), config["S3_ADDRESSING_STYLE"]),
            bucket=config["S3_BUCKET"],
            prefix=f"{prefix}{area}/",
            multipart_threshold=config["S3_MULTIPART_THRESHOLD_BYTES"],
        )
    return _file_storage(str(spool_root))


@lru_cache(maxsize=32)
def _file_storage(spool_root: str) -> FileStorage:
    """A local store, built once per folder: it holds nothing but its paths, and an upload
    asks for it several times."""
    return FileStorage(spool_root)
