"""Keep CPR numbers out of log files.

The development server and a proxy log request lines, and a CPR number typed
into a search box travels in the query string. This filter masks anything
shaped like a CPR number in every log record: DDMMYY-SSSS, ten digits, or
the two parts apart by a space, also as a query string writes it ("+",
"%20", "%2D"), and also right after a %-escape (a quoted number, "%22…").
"""

from __future__ import annotations

import logging
import re

CPR_SHAPE = re.compile(
    # Not glued to other digits; the hex digits of a %-escape before it do not count.
    r"(?:(?<!\d)|(?<=%[0-9A-Fa-f]{2}))"
    r"(\d{6})(?:-|\s|\+|%20|%2[dD])?\d{4}(?!\d)"
)


def mask(text: str) -> str:
    return CPR_SHAPE.sub(r"\1-xxxx", text)


class MaskCprFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        """Mask the message as it will be written, whatever the arguments are.

        Formatting here (not masking each string argument) also covers a
        mapping of arguments and objects whose text holds a number.
        """
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):
            # A broken format: keep what there is, masked, rather than lose the line.
            message = f"{record.msg} {record.args!r}"
        record.msg = mask(message)
        record.args = None
        return True
