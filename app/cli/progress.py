"""Click progress bars for long commands, drawn only on a terminal so cron logs stay clean."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import ExitStack
from types import TracebackType
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:  # the class click.progressbar returns; click exports only the function
    from click._termui_impl import ProgressBar

T = TypeVar("T")


class TerminalProgress:
    """Takes ``(stage, done, total)`` reports and draws one click progress bar per stage."""

    def __init__(self) -> None:
        self._bars = ExitStack()
        self._bar: ProgressBar[int] | None = None
        self._stage: str | None = None
        self._done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self._bars.close()
            self._stage, self._done = stage, 0
            self._bar = self._bars.enter_context(click.progressbar(length=total, label=stage))
        if self._bar is not None and done > self._done:
            self._bar.update(done - self._done)
            self._done = done

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bars.close()


def _progress() -> TerminalProgress | None:
    return TerminalProgress() if sys.stdout.isatty() else None


def run_with_progress(work: Callable[[TerminalProgress | None], T]) -> T:
    progress = _progress()
    if progress is None:
        return work(None)
    with progress:
        return work(progress)
