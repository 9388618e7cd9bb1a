"""Request body parsers (docs/security.md)."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import BaseParser, JSONParser

from config.validation import text_problem


@dataclass
class CSVBody:
    """A ``text/csv`` body, left unread: the catalog import reads it in chunks as it goes."""

    stream: Any

    def read(self, size: int = -1) -> bytes:
        return self.stream.read(size) if self.stream is not None else b""


class CSVTextParser(BaseParser):
    """``Content-Type: text/csv`` bodies (the catalog import), streamed rather than read whole."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return CSVBody(stream)


def _bad_text(data: Any, path: str = "") -> tuple[str, str] | None:
    """The first key or string of parsed JSON that no text column can keep, and why."""
    if isinstance(data, str):
        problem = text_problem(data)
        return (path or "non_field_errors", problem) if problem else None
    if isinstance(data, dict):
        for key, value in data.items():
            problem = text_problem(key)
            if problem:
                return (path or "non_field_errors", problem)
            found = _bad_text(value, f"{path}.{key}" if path else key)
            if found:
                return found
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found = _bad_text(value, f"{path}[{index}]" if path else f"[{index}]")
            if found:
                return found
    return None


class StrictJSONParser(JSONParser):
    """JSON whose every string can be stored: a lone surrogate or a NUL character answers 400
    naming where it was (``name``, ``[3].sku``), before any view sees it."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(gettext("JSON parse error - nested too deeply.")) from None
        found = _bad_text(data)
        if found:
            raise ValidationError({found[0]: [found[1]]})
        return data
