"""A plain progress line for long commands: a bar on a terminal, whole lines in a log."""

from __future__ import annotations

import re
import time
from typing import Any, TextIO

_COUNT = re.compile(r"([\d,]+) of ([\d,]+)")
WIDTH = 30


class ProgressLine:
    """Prints each step with the seconds since the start; "n of m" steps draw a bar."""

    def __init__(self, out: TextIO | Any) -> None:
        self.out = out
        self.started = time.perf_counter()
        self.tty = bool(getattr(out, "isatty", lambda: False)())

    def __call__(self, text: str) -> None:
        seconds = time.perf_counter() - self.started
        match = _COUNT.search(text)
        if match:
            done, total = (int(part.replace(",", "")) for part in match.groups())
            filled = WIDTH * done // max(total, 1)
            bar = "#" * filled + "." * (WIDTH - filled)
            line = f"[{bar}] {100 * done // max(total, 1):3d} % {text} ({seconds:.1f} s)"
            if self.tty:
                self.out.write("\r" + line + ("\n" if done >= total else ""))
                self.out.flush()
                return
            self.out.write(line + "\n")
            return
        self.out.write(f"{text} ({seconds:.1f} s)\n")
