"""How the client reads an answer's bytes and sends its documents."""

import json

import pytest
from graphql import print_ast

from letzshop.client import documents
from letzshop.client.client import PrintedRequest, _query_text, json_loads


@pytest.mark.parametrize(
    "body",
    [b'{"data": {"a": [1, 2.5, "\xc3\xa9", null, true]}}', b'{"data": {"name": "Caf\\u00e9 \\ud83d\\ude00"}}'],
)
def test_answers_read_as_the_standard_library_reads_them(body):
    assert json_loads(body) == json.loads(body)


def test_what_orjson_refuses_is_read_by_the_standard_library():
    # A lone surrogate in one name: the page is read, that name fails its own checks later.
    assert json_loads(b'{"data": {"name": "Mug \\ud800"}}') == {"data": {"name": "Mug \ud800"}}
    with pytest.raises(ValueError):
        json_loads(b"<html>not json</html>")


def test_a_document_is_printed_once_and_sent_as_gql_would_print_it():
    document = documents.SHIPMENTS.document
    first = _query_text(document)
    assert first is _query_text(document)
    payload = PrintedRequest(documents.SHIPMENTS, variable_values={"first": 5}, operation_name="Shipments").payload
    assert payload == {"query": print_ast(document), "operationName": "Shipments", "variables": {"first": 5}}
