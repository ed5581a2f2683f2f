"""The status reads an applicant was last sent, kept by their validator (the ETag).

The phone opens a case's page again and again, and a client that does not send
``If-None-Match`` makes every open rebuild the same view: the case with its documents and
verdicts, the material statuses, the workflow's actions, the form check and the dump, about
4 ms of CPU against a few tenths for the version alone. What an applicant sees of a case is
a function of the case's version and the office date — the fact the ETag and its 304 already
rest on — so the body built for one ETag serves every later read that finds the same ETag:
one statement checks the applicant and reads the version, and the same bytes go out again.

Kept per worker process and bounded in number and age (``STATUS_READ_CACHE_ENTRIES``,
``STATUS_READ_CACHE_SECONDS``; 0 entries turns it off): a body holds the applicant's own
delivery address and phone, so it lives no longer than that and never leaves the worker's
memory. Staff reads are never kept: what staff may do also depends on deputies and
assignments that the case's version does not count. With ``STATUS_READ_CACHE_VERIFY`` (the
test suite) every hit is rebuilt and compared, so a change that forgets to bump the version
fails the test that makes it instead of serving a stale view.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION = "zerovisit.status_reads"


@dataclass(frozen=True)
class Kept:
    """One body as sent, the ETag it was built for and when it stops being used."""

    etag: str
    body: bytes
    expires: float


class StatusReads:
    """A bounded least-recently-used map of (applicant, case) to the last body sent."""

    def __init__(self, entries: int, seconds: float) -> None:
        self.entries = entries
        self.seconds = seconds
        self._kept: OrderedDict[tuple[int, int], Kept] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.entries > 0

    def get(self, user_id: int, application_id: int) -> Kept | None:
        """The body last sent to this applicant for this case, unless it has aged out."""
        if not self.enabled:
            return None
        key = (user_id, application_id)
        with self._lock:
            kept = self._kept.get(key)
            if kept is None:
                return None
            if kept.expires <= time.monotonic():
                del self._kept[key]
                return None
            self._kept.move_to_end(key)
            return kept

    def put(self, user_id: int, application_id: int, etag: str, body: bytes) -> None:
        if not self.enabled:
            return
        key = (user_id, application_id)
        with self._lock:
            self._kept[key] = Kept(etag, body, time.monotonic() + self.seconds)
            self._kept.move_to_end(key)
            while len(self._kept) > self.entries:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = StatusReads(
        app.config["STATUS_READ_CACHE_ENTRIES"], app.config["STATUS_READ_CACHE_SECONDS"]
    )


def status_reads() -> StatusReads:
    return current_app.extensions[EXTENSION]
