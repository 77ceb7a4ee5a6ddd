"""The README's "Try the API" walk-through, run as written, and its endpoint table kept complete.

The curl calls are read from the README itself and replayed through the test client, so a
walk-through that stops working (a missing step, a renamed field) fails here, not for a reader.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import orjson
import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from prompts.models import Listing, ListingStatus
from tests.factories import png_upload

README = Path(__file__).resolve().parent.parent / "README.md"


def _section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _shell_lines() -> list[str]:
    """The walk-through's commands: the sh block, continuation lines joined, comments dropped."""
    block = _section("Try the API").split("```sh\n", 1)[1].split("\n```", 1)[0]
    joined = re.sub(r"\\\n\s*", " ", block)
    lines: list[str] = []
    pending = ""
    for line in joined.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending = f"{pending}\n{line}" if pending else line.strip()
        try:
            shlex.split(pending)  # a quoted JSON body may span lines
        except ValueError:
            continue
        lines.append(pending)
        pending = ""
    return lines


def _curl(line: str) -> dict[str, Any]:
    """One curl command as (method, path, headers, json or multipart body, variable it sets)."""
    assign = None
    if match := re.fullmatch(r"(\w+)=\$\((curl .*?) \|.*\)", line):
        assign, line = match.group(1), match.group(2)
    args = shlex.split(line)
    assert args[0] == "curl", line
    call: dict[str, Any] = {"method": "GET", "headers": {}, "data": None, "files": {}, "assign": assign}
    words = iter(args[1:])
    for word in words:
        if word == "-X":
            call["method"] = next(words)
        elif word == "-H":
            name, _, value = next(words).partition(":")
            call["headers"][name.strip().lower()] = value.strip()
        elif word == "-d":
            call["data"] = next(words)
        elif word == "-F":
            field, _, value = next(words).partition("=@")
            call["files"][field] = value
        elif not word.startswith("-"):
            call["url"] = word
    if call["files"] and call["method"] == "GET":
        call["method"] = "POST"
    return call


def _path(url: str, variables: dict[str, str]) -> str:
    path = url.split("localhost:8000", 1)[1]
    for name, value in variables.items():
        path = path.replace(f"<{name}>", value)
    return path


def _send(client: APIClient, call: dict[str, Any], variables: dict[str, str]) -> Any:
    headers = {}
    if auth := call["headers"].get("authorization"):
        headers["HTTP_AUTHORIZATION"] = auth.replace("$TOKEN", variables.get("TOKEN", ""))
    path = _path(call["url"], variables)
    method = getattr(client, call["method"].lower())
    if call["files"]:
        body = {field: png_upload(name) for field, name in call["files"].items()}
        return method(path, body, format="multipart", **headers)
    if call["data"] is not None:
        return method(path, call["data"].encode(), content_type="application/json", **headers)
    return method(path, **headers)


@pytest.mark.django_db
def test_the_walk_through_works_as_written(django_capture_on_commit_callbacks: Any) -> None:
    client = APIClient()
    variables: dict[str, str] = {}
    calls = [_curl(line) for line in _shell_lines()]
    assert len(calls) >= 6
    for call in calls:
        with django_capture_on_commit_callbacks(execute=True):  # the preview renders, as a worker would
            response = _send(client, call, variables)
        assert response.status_code < 400, (call["url"], response.content[:500])
        body = orjson.loads(response.content) if response.content else {}
        if call["assign"]:
            variables[call["assign"]] = body["token"]
        if call["url"].endswith("/seller/listings/") and call["method"] == "POST":
            variables["id"] = body["id"]
    listing = Listing.objects.get(public_id=variables["id"])
    assert listing.status == ListingStatus.PUBLISHED
    search = client.get("/api/v1/listings/", {"q": "熊猫", "sort": "price"})
    assert [row["id"] for row in search.json()["results"]] == [variables["id"]]


def _api_patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _api_patterns(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("api/v1/"):
            found.append(route)
    return found


def _shape(path: str) -> str:
    """`listings/<pubid:public_id>/` and `listings/{id}/` both become `listings/{}/`."""
    path = path.split("?", 1)[0].lstrip("/")
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def test_every_api_endpoint_is_in_the_readme_table() -> None:
    table = [line for line in _section("Try the API").splitlines() if line.startswith("| `")]
    documented = {
        _shape(url) for line in table for url in re.findall(r"(/api/v1/[^\s`,]*)", line.split("|")[1])
    }
    missing = sorted(route for route in _api_patterns() if _shape(route) not in documented)
    assert not missing, f"README's endpoint table lacks: {missing}"
