"""A 20 MiB document upload through the whole WSGI stack against ``cp`` + ``sync`` of the file.

``python -m bench.upload`` (``make bench``) builds a fresh SQLite database (or the PostgreSQL
database named by ``BENCH_UPLOAD_DATABASE_URL`` — its schema is dropped and rebuilt) and a
data folder in a temporary directory (under ``BENCH_UPLOAD_DIR`` if set), then times,
interleaved so both see the same machine load, ``BENCH_UPLOAD_ROUNDS`` (default 5) of:

- **upload**: ``POST /applications/{id}/documents`` with an ``Idempotency-Key`` (as the phone
  sends it), the multipart body of a ``BENCH_UPLOAD_MIB`` (default 20) MiB PDF handed to the
  app as a WSGI input stream — parsing, hashing, type sniffing, storing (fsync, rename) and the
  database rows; every round's file differs, so every round stores new bytes;
- **floor**: ``cp`` of the same file into the data folder, then ``sync`` of the copy;
- a 10 KB upload, whose time is the request's fixed cost: the note beside the figure gives
  the throughput of the size-dependent part alone.

Every timed step starts from a settled disk — ``sync``, then ``BENCH_UPLOAD_SETTLE`` seconds
(default 0.01) — and the steps' order rotates from round to round. On this host's virtual disk
a write right after another waited for what the first left behind: the same ``cp`` + ``sync``
took 26 ms first in a back-to-back pair and 61 ms second, 20–22 ms either way with a ``sync``
and 5 ms between, so without it a step's time depended on what ran just before it. The rest
is kept short because a longer one costs the next request a cold start (the server process and
its PostgreSQL backend both asleep): 0.1 s of rest added about 9 ms to a 64 KiB tus upload's
16 ms, 0.02 s about 3 ms, and nothing to the floor's ``cp``.
"""

from __future__ import annotations

import base64
import functools
import io
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from flask import Flask

from app.extensions import db
from bench.database import bench_url, fresh_app
from bench.figures import Figure
from tests import factories

MIB = 1024 * 1024
BOUNDARY = "zerovisit-bench"
GOAL = 0.3
T = TypeVar("T")
TUS_GOAL = 0.5
# Parsed to a temp file, copied again while hashing, hashed a third time for the key.
BEFORE = "0.16–0.26 (SQLite), 0.21–0.25 (PostgreSQL): three passes over the body"


def build_app(root: Path) -> Flask:
    """The app on the benchmark's PostgreSQL (``BENCH_UPLOAD_DATABASE_URL``, else
    ``BENCH_DATABASE_URL``; a ``sqlite:///`` URL works too), its data folder under ``root``."""
    return fresh_app(bench_url("BENCH_UPLOAD_DATABASE_URL"), root, MAX_UPLOAD_BYTES=str(64 * MIB))


def multipart_body(material: str, content: bytes) -> bytes:
    return b"".join(
        [
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="material"\r\n\r\n'.encode(),
            f"{material}\r\n".encode(),
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '.encode(),
            b'filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n',
            content,
            f"\r\n--{BOUNDARY}--\r\n".encode(),
        ]
    )


def pdf_of(size: int, round_number: int) -> bytes:
    """A PDF header, then filler that differs per round (so no round finds its blob stored)."""
    head = factories.pdf_bytes(f"bench round {round_number}")
    filler = (f"%{round_number:08d}" + "x" * 55 + "\n").encode()
    return (head + filler * (size // len(filler) + 1))[:size]


def timed_upload(app: Flask, url: str, auth: dict[str, str], body: bytes) -> float:
    client = app.test_client()
    headers = {
        **auth,
        "Idempotency-Key": uuid.uuid4().hex,
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(len(body)),
    }
    stream = io.BytesIO(body)
    db.session.remove()
    started = time.perf_counter()
    response = client.post(url, input_stream=stream, headers=headers)
    seconds = time.perf_counter() - started
    if response.status_code != 201:
        raise SystemExit(f"benchmark upload answered {response.status_code}: {response.text}")
    return seconds


def timed_tus(app: Flask, url: str, auth: dict[str, str], material: str, content: bytes) -> float:
    """Create a tus upload and send the whole file in one PATCH (a phone on a good network);
    the clock covers both requests, the last of which stores the document."""
    client = app.test_client()
    metadata = "material " + base64.b64encode(material.encode()).decode()
    tus = {**auth, "Tus-Resumable": "1.0.0"}
    db.session.remove()
    started = time.perf_counter()
    created = client.post(
        url, headers={**tus, "Upload-Length": str(len(content)), "Upload-Metadata": metadata}
    )
    if created.status_code != 201:
        raise SystemExit(f"benchmark tus creation answered {created.status_code}: {created.text}")
    headers = {
        **tus,
        "Idempotency-Key": uuid.uuid4().hex,
        "Content-Type": "application/offset+octet-stream",
        "Content-Length": str(len(content)),
        "Upload-Offset": "0",
    }
    location = created.headers["Location"].removeprefix("http://localhost")
    response = client.patch(location, input_stream=io.BytesIO(content), headers=headers)
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"benchmark tus PATCH answered {response.status_code}: {response.text}")
    return seconds


def timed_copy(source: Path, target: Path) -> float:
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(["cp", str(source), str(target)], check=True)
    subprocess.run(["sync", str(target)], check=True)
    return time.perf_counter() - started


def settle() -> None:
    """Let the disk catch up before a timed step: nothing of the bench's own left dirty, and
    a moment's rest (see the module's docstring for why)."""
    os.sync()
    time.sleep(float(os.environ.get("BENCH_UPLOAD_SETTLE", "0.01")))


def rotated(steps: list[T], number: int) -> list[T]:
    """The round's steps, each round starting one further along: none always follows another."""
    shift = number % len(steps)
    return steps[shift:] + steps[:shift]


@dataclass(frozen=True)
class Medians:
    upload_s: float  # the big upload
    small_upload_s: float  # a 10 KB upload: the request's fixed cost (auth, database, fsync)
    copy_s: float  # cp + sync of the big file
    tus_s: float  # the big file as a tus upload: creation and one PATCH


def measure(size: int, rounds: int) -> Medians:
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_UPLOAD_DIR")) as folder:
        root = Path(folder)
        app = build_app(root)
        with app.app_context():
            client = app.test_client()
            user = factories.applicant()
            auth = factories.headers(user)
            view = factories.create_application(client, auth, factories.enterprise(user).id)
            url = f"/api/v1/applications/{view['id']}/documents"
            material = view["materials"][0]["code"]
            big, small, copies, tus = [], [], [], []
            source = root / "source.pdf"
            tus_url = f"/api/v1/applications/{view['id']}/uploads"
            for number in range(rounds + 1):  # round 0 warms up
                content = pdf_of(size, number)
                source.write_bytes(content)
                body = multipart_body(material, content)
                resumable = pdf_of(size, 1000 + number)  # other bytes than the multipart's
                tiny = multipart_body(material, pdf_of(10_000, number))
                steps: list[tuple[list[float], Callable[[], float]]] = [
                    (big, functools.partial(timed_upload, app, url, auth, body)),
                    (copies, functools.partial(timed_copy, source, root / "data" / "copy.pdf")),
                    (tus, functools.partial(timed_tus, app, tus_url, auth, material, resumable)),
                    (small, functools.partial(timed_upload, app, url, auth, tiny)),
                ]
                for times, step in rotated(steps, number):
                    settle()
                    seconds = step()
                    if number:
                        times.append(seconds)
    return Medians(
        statistics.median(big),
        statistics.median(small),
        statistics.median(copies),
        statistics.median(tus),
    )


def figures() -> list[Figure]:
    size_mib = int(os.environ.get("BENCH_UPLOAD_MIB", "20"))
    rounds = int(os.environ.get("BENCH_UPLOAD_ROUNDS", "5"))
    medians = measure(size_mib * MIB, rounds)
    streaming = size_mib / max(medians.upload_s - medians.small_upload_s, 1e-6)
    return [
        Figure(
            name=f"{size_mib} MiB tus upload (creation + one PATCH) vs `cp` + `sync` of the file",
            measured=round(size_mib / medians.tus_s, 1),
            floor=round(size_mib / medians.copy_s, 1),
            unit="MiB/s",
            goal=TUS_GOAL,
            higher_is_better=True,
            before="no resumable upload",
            notes=[
                f"medians of {rounds} rounds, wall clock, Idempotency-Key on the PATCH; the "
                "PATCH body is appended to the upload's file as it arrives (1 MiB reads, "
                "hashed on the way, the disk's writeback started every 4 MiB), fdatasynced, "
                "then handed to the multipart route's pipeline (type by content, rename into "
                "the store without a second fsync, rows)",
            ],
        ),
        Figure(
            name=f"{size_mib} MiB multipart upload vs `cp` + `sync` of the same file",
            measured=round(size_mib / medians.upload_s, 1),
            floor=round(size_mib / medians.copy_s, 1),
            unit="MiB/s",
            goal=GOAL,
            higher_is_better=True,
            before=BEFORE,
            notes=[
                f"medians of {rounds} rounds, wall clock, Idempotency-Key sent",
                f"a 10 KB upload takes {medians.small_upload_s * 1000:.0f} ms (the request's "
                "fixed cost: token, case lock, idempotency claim, rows, two commits, fsyncs); "
                f"the size-dependent part (parse, hash, write) runs at {streaming:.0f} MiB/s",
                "where it stops: one Python thread parses (werkzeug), hashes (SHA-256, the "
                "content address) and writes each byte once, then fsyncs; the floor only "
                "copies in the kernel. Hashing and writing in a second thread and larger "
                "parser buffers gave nothing measurable on 2 shared cores",
            ],
        ),
    ]


def main() -> None:
    for figure in figures():
        print(
            f"{figure.name}: {figure.measured} {figure.unit} vs {figure.floor} {figure.unit}: "
            f"ratio {figure.ratio:.2f} (goal ≥ {figure.goal})"
        )
        for note in figure.notes:
            print(f"  {note}")


if __name__ == "__main__":
    main()
