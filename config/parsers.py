from rest_framework.parsers import BaseParser


class CSVTextParser(BaseParser):
    """``Content-Type: text/csv`` bodies arrive as text (the catalog import)."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", "utf-8")
        return stream.read().decode(encoding)
