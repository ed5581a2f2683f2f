"""Content-addressed document storage in an S3-compatible object store (MinIO, Ceph RGW, cloud).

Several app servers share one bucket, so a document uploaded through one is served by any.
Keys are ``<S3_PREFIX><area>/ab/cdef…`` (the SHA-256 of the bytes). An upload is spooled and
hashed locally first (its key is its hash), then sent with ``upload_file``: above the
multipart threshold as a multipart upload whose parts are read from the temp file as they
are sent, so no whole file is held in memory. A key that exists is never written again.
Downloads stream the object's body.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO, cast

import boto3
from boto3.exceptions import S3UploadFailedError
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.integrations.storage.base import DocumentStore, StorageUnavailable

MIN_PART_BYTES = 5 * 1024 * 1024  # S3's smallest multipart part (all but the last)
MAX_CONCURRENT_PARTS = 4
MISSING = ("404", "NoSuchKey", "NotFound")


class S3Storage(DocumentStore):
    def __init__(
        self,
        spool_root: str | Path,
        client: Any,
        bucket: str,
        prefix: str,
        multipart_threshold: int,
    ) -> None:
        super().__init__(spool_root)
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        part_size = max(multipart_threshold, MIN_PART_BYTES)
        self.transfer = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=part_size,
            max_concurrency=MAX_CONCURRENT_PARTS,
        )

    def key_for(self, sha256: str) -> str:
        return f"{self.prefix}{sha256[:2]}/{sha256[2:]}"

    def exists(self, sha256: str) -> bool:
        try:
            with _unavailable_on_failure():
                self.client.head_object(Bucket=self.bucket, Key=self.key_for(sha256))
        except FileNotFoundError:
            return False
        return True

    def open(self, sha256: str) -> BinaryIO:
        with _unavailable_on_failure():
            found = self.client.get_object(Bucket=self.bucket, Key=self.key_for(sha256))
        return cast(BinaryIO, found["Body"])  # botocore's StreamingBody: read() and close()

    def commit(self, tmp: Path, sha256: str, *, synced: bool = False) -> None:
        try:
            if not self.exists(sha256):
                with _unavailable_on_failure():
                    self.client.upload_file(
                        str(tmp), self.bucket, self.key_for(sha256), Config=self.transfer
                    )
        finally:
            tmp.unlink(missing_ok=True)

    def remove(self, sha256: str) -> None:
        with _unavailable_on_failure():
            self.client.delete_object(Bucket=self.bucket, Key=self.key_for(sha256))


@contextmanager
def _unavailable_on_failure() -> Iterator[None]:
    """A missing key as FileNotFoundError; anything else the store answers as unavailable."""
    try:
        yield
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in MISSING:
            raise FileNotFoundError(str(exc)) from exc
        raise StorageUnavailable(str(exc)) from exc
    except (BotoCoreError, S3UploadFailedError) as exc:
        raise StorageUnavailable(str(exc)) from exc


def s3_client(endpoint_url: str, addressing_style: str) -> Any:
    """This process's client for the endpoint (credentials and region from boto3's usual
    environment: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``)."""
    return _client(endpoint_url or None, addressing_style, os.getpid())


@cache
def _client(endpoint_url: str | None, addressing_style: str, pid: int) -> Any:
    # One client per process (``pid``: a client made before a fork is not reused after it).
    config = Config(
        s3={"addressing_style": addressing_style},
        # Checksums only where S3 requires them: the CRC trailers boto3 adds by default are
        # refused by several S3-compatible servers (older MinIO and Ceph RGW releases).
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=5,
    )
    return boto3.session.Session().client("s3", endpoint_url=endpoint_url, config=config)
