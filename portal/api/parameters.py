"""Parameters read as the OpenAPI document declares them.

The document (``openapi.yaml``) is the contract, and the API holds to it by reading it:

1. Each operation's parameters are found by its ``operationId``.
2. A parameter given is checked against its declared schema (followed through ``$ref``): one
   value unless it is an array, the allowed values (``enum``), the length (``maxLength``) and the
   form (``pattern``, anchored at both ends). A required parameter must be there; an absent one
   takes its ``default``.
3. Anything else is refused with :class:`ParameterError`, which the views answer with 400
   naming the parameter.

So what the document allows the API takes, and what it refuses the API refuses. Rules that
join several parameters (a pause ends after it starts, a period does not end before it starts)
are the views' and the domain's; the document states them in words.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import yaml
from flask import request
from werkzeug.datastructures import MultiDict

OPENAPI_FILE = Path(__file__).with_name("openapi.yaml")


class ParameterError(ValueError):
    """A parameter is missing or not of the documented form; ``parameter`` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@cache
def openapi_document() -> dict[str, Any]:
    return yaml.safe_load(OPENAPI_FILE.read_text(encoding="utf-8"))


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = openapi_document()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


@cache
def _parameters(operation_id: str) -> tuple[dict[str, Any], ...]:
    for item in openapi_document()["paths"].values():
        for operation in item.values():
            if operation.get("operationId") == operation_id:
                return tuple(operation.get("parameters", ()))
    raise KeyError(operation_id)


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    # In JSON Schema (ECMA 262) "$" is the very end; in Python it also matches before a final
    # newline, which the document does not allow.
    return re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)


def _checked(name: str, value: str, schema: dict[str, Any], example: Any) -> str:
    if "enum" in schema and value not in schema["enum"]:
        raise ParameterError(name, f"{name} must be one of {', '.join(schema['enum'])}, not {value!r}.")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise ParameterError(name, f"{name} has at most {schema['maxLength']} characters.")
    if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
        such_as = f", such as {example}" if isinstance(example, str) else ""
        what = schema.get("description", "").split("\n")[0].rstrip(".,:")
        written = f" ({what[0].lower() + what[1:]})" if what else ""
        raise ParameterError(name, f"{name}: {value!r} is not written as documented{written}{such_as}.")
    return value


def query_as_sent() -> MultiDict[str, str]:
    """The request's query string as the client sent it. ``request.args`` holds it in the
    portal's normal form for people's text (spaces collapsed, ends trimmed), which would let
    ``1.004222 `` pass for ``1.004222``: the document's forms are checked against what was sent."""
    return MultiDict(parse_qsl(request.query_string.decode("utf-8", "replace"), keep_blank_values=True))


def read_parameters(operation_id: str, query: MultiDict[str, str] | None = None,
                    path: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The operation's parameters from the query string (by default the request's, as sent) and
    the path, checked against the document; absent optional ones without a default are left
    out. Raises :class:`ParameterError`."""
    query = query_as_sent() if query is None else query
    values: dict[str, Any] = {}
    for parameter in _parameters(operation_id):
        name = parameter["name"]
        schema = _resolve(parameter["schema"])
        given = [(path or {})[name]] if parameter["in"] == "path" else query.getlist(name)
        if not given:
            if parameter.get("required"):
                raise ParameterError(name, f"The parameter {name!r} is required.")
            if "default" in schema:
                values[name] = schema["default"]
            continue
        example = parameter.get("example")
        if schema.get("type") == "array":
            item = _resolve(schema["items"])
            values[name] = [_checked(name, value, item, example[0] if isinstance(example, list) else None) for value in given]
        elif len(given) > 1:
            raise ParameterError(name, f"Give {name} once, not {len(given)} times.")
        else:
            values[name] = _checked(name, given[0], schema, example)
    return values
