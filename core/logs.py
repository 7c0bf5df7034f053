"""Logging helpers."""

import logging


class QuietForbidden(logging.Filter):
    """An ordinary 403 (a page someone's role may not use) is logged as one line: Django attaches the
    PermissionDenied traceback, which says nothing about a fault and fills the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
