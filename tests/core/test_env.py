"""The settings helpers: a malformed value stops start-up with a message naming the variable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from marketplace.core.env import env_matching, env_retired, env_size, require_for
from marketplace.core.object_storage import object_storages


@pytest.mark.parametrize("value", ["1024", "1024x", "x1024", "63x1024", "1024x1024x2", "big", "1024x²"])
def test_a_malformed_size_names_the_variable(monkeypatch, value):
    monkeypatch.setenv("PREVIEW_GENERATOR_SIZE", value)
    expected = "PREVIEW_GENERATOR_SIZE must be WIDTHxHEIGHT of at least 64x64"
    with pytest.raises(ImproperlyConfigured, match=expected):
        env_size("PREVIEW_GENERATOR_SIZE", "1024x1024", minimum=64)


def test_a_size_reads_width_and_height(monkeypatch):
    monkeypatch.setenv("PREVIEW_GENERATOR_SIZE", "1536X1024")
    assert env_size("PREVIEW_GENERATOR_SIZE", "1024x1024", minimum=64) == (1536, 1024)


def test_a_retired_variable_stops_start_up_only_when_set(monkeypatch):
    env_retired("OLD_KNOB", "use NEW_KNOB.")
    monkeypatch.setenv("OLD_KNOB", "1")
    with pytest.raises(ImproperlyConfigured, match=r"OLD_KNOB is no longer read: use NEW_KNOB\."):
        env_retired("OLD_KNOB", "use NEW_KNOB.")


def test_a_value_must_match_its_pattern_in_full(monkeypatch):
    monkeypatch.setenv("PATH_SETTING", "a/b/")
    assert env_matching("PATH_SETTING", "x/", r"(?:[a-z]+/)+", shape="segments") == "a/b/"
    monkeypatch.setenv("PATH_SETTING", "a/b")
    with pytest.raises(ImproperlyConfigured, match="PATH_SETTING must be segments, got 'a/b'"):
        env_matching("PATH_SETTING", "x/", r"(?:[a-z]+/)+", shape="segments")


def test_a_choice_without_what_it_needs_stops_start_up():
    needs = {"openai": ("OPENAI_API_KEY", "")}
    require_for("PREVIEW_GENERATOR", "none", needs)
    with pytest.raises(ImproperlyConfigured, match="PREVIEW_GENERATOR=openai needs OPENAI_API_KEY"):
        require_for("PREVIEW_GENERATOR", "openai", needs)


def test_object_storage_keeps_originals_private_and_previews_public(monkeypatch):
    monkeypatch.setenv("OBJECT_STORAGE_PRIVATE_BUCKET", "dimsum-originals")
    storages = object_storages("dimsum-previews")
    public, private = storages["default"]["OPTIONS"], storages["private"]["OPTIONS"]
    assert (public["bucket_name"], public["querystring_auth"]) == ("dimsum-previews", False)
    assert (private["bucket_name"], private["querystring_auth"], private["default_acl"]) == (
        "dimsum-originals",
        True,
        "private",
    )
