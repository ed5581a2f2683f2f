"""A real S3 API server on 127.0.0.1 (moto's server mode) for the object-storage tests."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from app.integrations.storage.s3 import s3_client

S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "zerovisit-test",
    "AWS_SECRET_ACCESS_KEY": "zerovisit-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """The address of a moto S3 server (its own process) for the session.

    boto3 finds the credentials in os.environ, here and in the app servers the tests start.
    """
    if importlib.util.find_spec("moto") is None:
        pytest.skip("moto[server] is not installed (pip install -e '.[test]')")
    saved = {name: os.environ.get(name) for name in S3_CREDENTIALS}
    os.environ.update(S3_CREDENTIALS)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _wait_for_port(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the moto S3 server did not start")


@pytest.fixture
def s3_settings(s3_endpoint: str) -> dict[str, Any]:
    """App settings for a fresh bucket of its own on the moto server."""
    bucket = f"zerovisit-{uuid.uuid4().hex[:12]}"
    s3_client(s3_endpoint, "path").create_bucket(Bucket=bucket)
    return {
        "STORAGE_BACKEND": "s3",
        "S3_ENDPOINT_URL": s3_endpoint,
        "S3_BUCKET": bucket,
        "S3_PREFIX": "office/",
        "S3_ADDRESSING_STYLE": "path",
        "S3_MULTIPART_THRESHOLD_BYTES": 5 * 1024 * 1024,
    }
