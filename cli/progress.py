"""Progress on stderr for long runs: a bar on a terminal, plain lines otherwise.

Nothing is printed for a stage that finishes within ``DELAY`` seconds of the run's start,
so small runs stay silent; ``--quiet`` turns it off altogether.
"""

from __future__ import annotations

import sys
import time

DELAY = 1.5  # seconds before anything is shown
EVERY = 1.0  # seconds between plain lines


class Progress:
    """Callable ``progress(stage, done, total)``: ``done`` of ``total`` steps; ``total`` 0 and
    ``done`` > 0 is step ``done`` of an open-ended stage; both 0 means 'stage finished'."""

    def __init__(self, stream=None, enabled: bool = True):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.start = time.perf_counter()
        self.last = 0.0
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        elapsed = now - self.start
        if elapsed < DELAY:
            return
        if not total and done:  # an open-ended stage: report its step
            self.stream.write(f"{chr(13) if self.tty else ''}{stage}: round {done} at {elapsed:.1f} s\n")
            self.stream.flush()
            return
        if total and done >= total:
            return  # the caller reports the end of the stage
        if total and done < total:
            if self.tty:
                width = 30
                filled = int(width * done / total)
                bar = "#" * filled + "-" * (width - filled)
                self.stream.write(f"\r{stage:<10} [{bar}] {100 * done / total:5.1f}%")
                self.stream.flush()
            elif now - self.last >= EVERY:
                self.stream.write(f"{stage}: {100 * done / total:.0f}% ({done:,} of {total:,})\n")
                self.last = now
        else:
            end = "\n" if not self.tty else "\r" + " " * 60 + "\r"
            self.stream.write(f"{end if self.tty else ''}{stage}: done at {elapsed:.1f} s\n")
            self.stream.flush()
            self.last = now
