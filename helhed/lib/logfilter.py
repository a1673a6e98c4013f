"""Keep CPR numbers out of log files.

The development server and a proxy log request lines, and a CPR number typed
into a search box travels in the query string. This filter masks anything
shaped like a CPR number (DDMMYY-SSSS or ten digits) in every log record.
"""

from __future__ import annotations

import logging
import re

CPR_SHAPE = re.compile(r"(?<!\d)(\d{6})-?\d{4}(?!\d)")


def mask(text: str) -> str:
    return CPR_SHAPE.sub(r"\1-xxxx", text)


class MaskCprFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in args)
        return True
