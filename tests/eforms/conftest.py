"""Fixtures of the e-form tests: the test register's client, an app serving the e-form routes,
and an HTML reader to check rendered fields the way a browser and a screen reader see them."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask_babel import force_locale

from portal.registry.client import SqlRegistryClient
from portal.registry.records import PersonRecord


@pytest.fixture(scope="session")
def registry_client(register: str) -> SqlRegistryClient:
    return SqlRegistryClient(register)


@pytest.fixture(scope="session")
def citizen(registry_client: SqlRegistryClient, citizen_id: str) -> PersonRecord:
    person = registry_client.get_person(citizen_id)
    assert person is not None
    return person


@pytest.fixture()
def eforms_app(make_app) -> Callable[..., Flask]:
    """A fresh app (with the e-form routes, as every app has) and other settings."""
    return make_app


@pytest.fixture()
def english(app: Flask) -> Iterator[None]:
    """A request in English: messages are checked against their msgids."""
    with app.test_request_context(), force_locale("en"):
        yield


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def has(self, name: str) -> bool:
        return name in self.attrs


class _Reader(HTMLParser):
    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        for parent in self.open:
            parent.children.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop().tag == tag:
                break

    def handle_data(self, data):
        for element in self.open:
            element.text += data


@dataclass
class Page:
    elements: list[Element]

    def by_id(self, element_id: str) -> Element:
        matches = [e for e in self.elements if e.attrs.get("id") == element_id]
        assert len(matches) == 1, f"{len(matches)} elements with id {element_id!r}"
        return matches[0]

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e for e in self.elements
            if e.tag == tag and all(e.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]

    def named(self, name: str) -> list[Element]:
        return [e for e in self.elements if e.attrs.get("name") == name]


def read_html(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    return Page(reader.elements)


def described_by(element: Element) -> list[str]:
    return (element.attrs.get("aria-describedby") or "").split()
