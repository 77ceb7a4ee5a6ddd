"""Platform-generated previews: the generator backends' wire formats, and the service end to end.

The HTTP backends are tested against the providers' request and response shapes through
httpx.MockTransport; nothing here touches the network.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import random
from collections.abc import Callable, Iterator
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx
import pytest
from django.core.files.storage import default_storage
from django.test import TestCase
from PIL import Image

from prompts import services
from prompts.models import ImageSource, ImageStatus, ListingEvent, ListingImage, ListingStatus
from prompts.previews import generators
from prompts.previews.generation import UNREADABLE, fill_variables, version_generate_previews
from prompts.previews.generators import (
    GeneratedImage,
    PermanentGeneratorError,
    TransientGeneratorError,
)
from prompts.previews.generators.openai_images import OpenAIImages
from prompts.previews.generators.stability import StabilityImages, nearest_aspect_ratio
from prompts.previews.tasks import generate_previews
from tests.factories import make_listing, png_upload

PROMPT = "glowing [animal] in a neon pond under a [sky] sky, 8k wallpaper"
SECRET_WORDS = "neon pond"  # in every filled version of PROMPT: must never reach logs or errors


def _png(seed: int, size: int = 256) -> bytes:
    rng = random.Random(seed)
    channels = [
        Image.frombytes("L", (16, 16), rng.randbytes(256)).resize((size, size), Image.Resampling.BICUBIC)
        for _ in range(3)
    ]
    buffer = io.BytesIO()
    Image.merge("RGB", channels).save(buffer, "PNG")
    return buffer.getvalue()


def _b64_png(seed: int) -> str:
    return base64.b64encode(_png(seed, 64)).decode()


def _openai(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> OpenAIImages:
    return OpenAIImages(api_key="sk-test-123", transport=httpx.MockTransport(handler), **kwargs)


def _stability(handler: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> StabilityImages:
    return StabilityImages(api_key="sk-stab-456", transport=httpx.MockTransport(handler), **kwargs)


def _form_fields(request: httpx.Request) -> dict[str, str]:
    head = b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n"
    message = BytesParser(policy=HTTP).parsebytes(head + request.content)
    return {
        part.get_param("name", header="content-disposition"): part.get_payload(decode=True).decode()
        for part in message.iter_parts()
    }


# --- OpenAI Images -------------------------------------------------------------------------------


def test_openai_sends_the_documented_request_and_reads_b64_json():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "created": 1713833628,
                "background": "opaque",
                "output_format": "png",
                "quality": "medium",
                "size": "1024x1024",
                "data": [{"b64_json": _b64_png(1)}, {"b64_json": _b64_png(2)}],
                "usage": {
                    "total_tokens": 4200,
                    "input_tokens": 40,
                    "output_tokens": 4160,
                    "input_tokens_details": {"text_tokens": 40, "image_tokens": 0},
                },
            },
        )

    images = _openai(handler).generate(prompt="koi in a pond", count=2, seed=10, width=1024, height=1024)

    [request] = seen
    assert request.method == "POST"
    assert str(request.url) == "https://api.openai.com/v1/images/generations"
    assert request.headers["authorization"] == "Bearer sk-test-123"
    assert request.headers["content-type"] == "application/json"
    # GPT image models answer in base64 always and reject response_format.
    assert json.loads(request.content) == {
        "model": "gpt-image-1",
        "prompt": "koi in a pond",
        "n": 2,
        "size": "1024x1024",
    }
    assert [image.data for image in images] == [_png(1, 64), _png(2, 64)]
    assert [image.seed for image in images] == [10, 11]
    assert images[0].params == {"size": "1024x1024", "n": 2, "seed_applied": False, "quality": "medium"}


def test_openai_dall_e_3_asks_for_base64_one_image_per_request_and_drops_the_revised_prompt():
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(
            200,
            json={
                "created": 1713833628,
                "data": [{"b64_json": _b64_png(len(bodies)), "revised_prompt": "A koi in a pond, at dusk"}],
            },
        )

    generator = _openai(handler, model="dall-e-3", base_url="https://gateway.example/openai/")
    images = generator.generate(prompt="koi in a pond", count=2, seed=0, width=1024, height=1792)

    assert generator.model_name == "openai/dall-e-3"
    assert (
        bodies
        == [
            {
                "model": "dall-e-3",
                "prompt": "koi in a pond",
                "n": 1,
                "size": "1024x1792",
                "response_format": "b64_json",
            }
        ]
        * 2
    )
    assert len(images) == 2
    assert "koi" not in json.dumps([image.params for image in images])


def _openai_error(status: int, code: str | None, error_type: str = "invalid_request_error") -> httpx.Response:
    # OpenAI error bodies quote the request in their message; ours must not.
    message = f"Your request was rejected: '{PROMPT}' is not allowed."
    return httpx.Response(
        status, json={"error": {"message": message, "type": error_type, "param": None, "code": code}}
    )


@pytest.mark.parametrize(
    ("response", "expected", "refused"),
    [
        (_openai_error(429, "rate_limit_exceeded", "requests"), TransientGeneratorError, False),
        (
            httpx.Response(503, text=f"<html>Service Unavailable {PROMPT}</html>"),
            TransientGeneratorError,
            False,
        ),
        (_openai_error(500, None, "server_error"), TransientGeneratorError, False),
        (_openai_error(429, "insufficient_quota", "insufficient_quota"), PermanentGeneratorError, False),
        (_openai_error(400, "content_policy_violation"), PermanentGeneratorError, True),
        (
            _openai_error(400, "moderation_blocked", "image_generation_user_error"),
            PermanentGeneratorError,
            True,
        ),
        (_openai_error(401, "invalid_api_key"), PermanentGeneratorError, False),
        (_openai_error(400, PROMPT), PermanentGeneratorError, False),  # a "code" that is not an identifier
    ],
)
def test_openai_errors_are_classified_and_never_quote_the_prompt(response, expected, refused):
    generator = _openai(lambda request: response)
    with pytest.raises(expected) as caught:
        generator.generate(prompt=PROMPT, count=1, seed=1, width=1024, height=1024)
    error = caught.value
    assert type(error) is expected
    assert getattr(error, "refused", False) is refused
    assert error.status == response.status_code
    for text in (str(error), repr(error), *map(str, error.args)):
        assert SECRET_WORDS not in text
    assert (error.__cause__ is None and error.__context__ is None) or SECRET_WORDS not in str(
        error.__context__
    )


@pytest.mark.parametrize("failure", [httpx.ReadTimeout, httpx.ConnectTimeout, httpx.ConnectError])
def test_openai_timeouts_and_network_errors_are_transient(failure):
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure(f"failed while sending {PROMPT}", request=request)

    with pytest.raises(TransientGeneratorError) as caught:
        _openai(handler).generate(prompt=PROMPT, count=1, seed=1, width=1024, height=1024)
    assert SECRET_WORDS not in str(caught.value)
    assert caught.value.__cause__ is None


def test_openai_malformed_success_is_permanent():
    handler = lambda request: httpx.Response(200, json={"data": [{"url": "https://example.com/x.png"}]})  # noqa: E731
    with pytest.raises(PermanentGeneratorError, match="b64_json"):
        _openai(handler).generate(prompt=PROMPT, count=1, seed=1, width=1024, height=1024)


# --- Stability -----------------------------------------------------------------------------------


def test_stability_sends_multipart_form_fields_and_reads_the_image_bytes():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        fields = _form_fields(request)
        return httpx.Response(
            200,
            content=_png(int(fields["seed"]), 64),
            headers={"content-type": "image/png", "finish-reason": "SUCCESS", "seed": fields["seed"]},
        )

    images = _stability(handler).generate(prompt="koi in a pond", count=2, seed=41, width=1536, height=1024)

    assert len(seen) == 2  # one image per request
    for request, seed in zip(seen, ("42", "43"), strict=True):
        assert request.method == "POST"
        assert str(request.url) == "https://api.stability.ai/v2beta/stable-image/generate/core"
        assert request.headers["authorization"] == "Bearer sk-stab-456"
        assert request.headers["accept"] == "image/*"
        assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
        assert _form_fields(request) == {
            "prompt": "koi in a pond",
            "aspect_ratio": "3:2",
            "output_format": "png",
            "seed": seed,
        }
    assert [image.seed for image in images] == [42, 43]
    assert images[0].data == _png(42, 64)
    assert images[0].params == {"endpoint": "core", "aspect_ratio": "3:2", "output_format": "png"}


def test_stability_sd3_models_post_to_the_sd3_endpoint_with_the_model_field():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=_png(1, 64), headers={"content-type": "image/png", "seed": "9"})

    _stability(handler, model="sd3.5-large").generate(prompt="x", count=1, seed=0, width=1024, height=1024)
    assert seen[0].url.path == "/v2beta/stable-image/generate/sd3"
    assert _form_fields(seen[0])["model"] == "sd3.5-large"


def _stability_error(status: int, name: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={"id": "a1b2c3", "name": name, "errors": [f"Your prompt '{PROMPT}' was flagged"]},
    )


@pytest.mark.parametrize(
    ("response", "expected", "refused"),
    [
        (_stability_error(403, "content_moderation"), PermanentGeneratorError, True),
        (_stability_error(400, "bad_request"), PermanentGeneratorError, False),
        (_stability_error(402, "payment_required"), PermanentGeneratorError, False),
        (_stability_error(429, "rate_limit_exceeded"), TransientGeneratorError, False),
        (_stability_error(500, "internal_error"), TransientGeneratorError, False),
        (
            httpx.Response(
                200,
                content=_png(1, 64),
                headers={"content-type": "image/png", "finish-reason": "CONTENT_FILTERED"},
            ),
            PermanentGeneratorError,
            True,
        ),
    ],
)
def test_stability_errors_are_classified_and_never_quote_the_prompt(response, expected, refused):
    with pytest.raises(expected) as caught:
        _stability(lambda request: response).generate(prompt=PROMPT, count=1, seed=1, width=512, height=512)
    assert type(caught.value) is expected
    assert getattr(caught.value, "refused", False) is refused
    assert SECRET_WORDS not in str(caught.value)


def test_stability_picks_the_nearest_supported_aspect_ratio():
    assert nearest_aspect_ratio(1024, 1024) == "1:1"
    assert nearest_aspect_ratio(1792, 1024) == "16:9"
    assert nearest_aspect_ratio(1024, 1536) == "2:3"


# --- The service, end to end ---------------------------------------------------------------------


class FakeGenerator:
    """Returns real PNGs and records the prompts it was given."""

    model_name = "fake/painter-1"

    def __init__(self) -> None:
        self.prompts: list[str] = []
        self.before_return: Callable[[], None] | None = None
        self.data: Callable[[int], bytes] = _png

    def generate(
        self, *, prompt: str, count: int, seed: int, width: int, height: int
    ) -> list[GeneratedImage]:
        self.prompts.append(prompt)
        if self.before_return:
            self.before_return()
        return [
            GeneratedImage(data=self.data(seed + i), seed=seed + i, params={"steps": 3, "width": width})
            for i in range(count)
        ]


@pytest.fixture
def generation(settings, monkeypatch) -> Callable[[Any], None]:
    """Turns generation on, with a given backend in place of the configured one."""
    settings.PREVIEW_GENERATOR = "openai"
    settings.PREVIEW_GENERATOR_COUNT = 2
    settings.PREVIEW_GENERATOR_WIDTH = settings.PREVIEW_GENERATOR_HEIGHT = 256

    def use(backend: Any) -> None:
        monkeypatch.setattr(generators, "generator_from_settings", lambda: backend)

    return use


@pytest.fixture
def worker_retries() -> Iterator[None]:
    """Eager tasks that retry as a worker would (without waiting): exceptions stay in the task."""
    from marketplace.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before


@pytest.fixture
def fake(generation) -> FakeGenerator:
    backend = FakeGenerator()
    generation(backend)
    return backend


def _platform(listing) -> list[ListingImage]:
    return list(listing.images.filter(source=ImageSource.PLATFORM).order_by("position"))


def _listing(seller, **fields):
    return make_listing(
        seller, prompt_text=PROMPT, variable_examples={"animal": "koi", "unused": "x"}, **fields
    )


@pytest.mark.django_db
def test_a_new_listing_gets_ready_platform_previews_from_its_filled_prompt(seller, fake, anon):
    listing = _listing(seller, price_amount=0)  # free: no payout account needed to publish

    assert fake.prompts == ["glowing koi in a neon pond under a sky sky, 8k wallpaper"] * 2
    images = _platform(listing)
    version = listing.versions.get()
    assert [(i.position, i.status, i.prompt_version_id) for i in images] == [
        (1, ImageStatus.READY, version.pk),
        (2, ImageStatus.READY, version.pk),
    ]
    for image in images:
        assert image.generated_by_platform
        assert image.generator["model"] == "fake/painter-1"
        assert (image.ai_class, image.ai_evidence) == ("ai_generated", "platform")
        assert isinstance(image.generator["seed"], int)
        assert image.generator["params"] == {"steps": 3, "width": 256}
        assert image.source_width == image.width == 256
        assert SECRET_WORDS not in json.dumps(image.generator)
        with default_storage.open(image.renditions[0]["name"]) as fh:
            preview = fh.read()
        assert b"fake/painter-1" in preview  # the XMP label names the generating model
        assert SECRET_WORDS.encode() not in preview
    assert images[0].generator["seed"] != images[1].generator["seed"]

    # Platform images make the listing ready for sale, and buyers see them badged.
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.listing_image_add(listing=listing, by=seller, upload=png_upload())
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.listing_submit(listing=listing, by=seller)
    detail = anon.get(f"/api/v1/listings/{listing.public_id}/").json()
    badges = sorted(
        (p["generated_by_platform"], (p["generator"] or {}).get("model")) for p in detail["previews"]
    )
    assert badges == [(False, None), (True, "fake/painter-1"), (True, "fake/painter-1")]
    assert sorted(p["ai_class"] for p in detail["previews"]) == ["ai_generated", "ai_generated", "none"]
    assert detail["has_platform_previews"] is True


@pytest.mark.django_db
def test_running_the_task_again_creates_and_generates_nothing(seller, fake):
    listing = _listing(seller)
    version = listing.versions.get()
    before = [(i.pk, i.public_id, i.original.name, i.renditions, i.generator) for i in _platform(listing)]

    with TestCase.captureOnCommitCallbacks(execute=True):
        generate_previews.delay(version.pk)
        generate_previews(version.pk)
        version_generate_previews(version_id=version.pk)

    after = [(i.pk, i.public_id, i.original.name, i.renditions, i.generator) for i in _platform(listing)]
    assert after == before
    assert len(fake.prompts) == 2


@pytest.mark.django_db
def test_the_task_is_queued_after_commit_with_the_version_id_only(seller, fake, monkeypatch):
    queued: list[tuple[Any, Any]] = []
    monkeypatch.setattr(
        generate_previews, "apply_async", lambda args=None, kwargs=None, **o: queued.append((args, kwargs))
    )

    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        listing = services.listing_create(
            seller=seller,
            title="Koi",
            target_model="sdxl",
            category="wallpaper",
            prompt_text=PROMPT,
            variable_examples={"animal": "koi"},
        )
        assert queued == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()

    version = listing.versions.get()
    assert queued == [((version.pk,), {})]
    assert SECRET_WORDS not in json.dumps(queued)


@pytest.mark.django_db
def test_nothing_is_queued_when_generation_is_off_or_the_model_writes_text(seller, settings, monkeypatch):
    queued: list[Any] = []
    monkeypatch.setattr(generate_previews, "apply_async", lambda *a, **k: queued.append(a))
    listing = _listing(seller)  # PREVIEW_GENERATOR is "none" by default
    settings.PREVIEW_GENERATOR = "openai"
    make_listing(seller, target_model="chatgpt", prompt_text="Write a poem about [topic]")
    assert queued == []
    assert not _platform(listing)


@pytest.mark.django_db
def test_the_prompt_never_reaches_the_logs(seller, generation, worker_retries, caplog):
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:  # a rate limit whose message quotes the prompt, then success
            return _openai_error(429, "rate_limit_exceeded", "requests")
        return httpx.Response(
            200, json={"created": 1, "data": [{"b64_json": base64.b64encode(_png(len(calls))).decode()}]}
        )

    generation(_openai(handler))
    caplog.set_level(logging.DEBUG)
    listing = _listing(seller)

    assert len(calls) == 3  # one retried failure, then one image per slot
    assert [i.status for i in _platform(listing)] == [ImageStatus.READY, ImageStatus.READY]
    assert _platform(listing)[0].generator["model"] == "openai/gpt-image-1"
    assert "will be retried" in caplog.text
    assert SECRET_WORDS not in caplog.text
    assert "koi" not in caplog.text


@pytest.mark.django_db
def test_transient_errors_are_retried_a_bounded_number_of_times_then_the_slots_fail(
    seller, generation, worker_retries, seller_api, caplog
):
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(
            503, json={"error": {"message": f"overloaded: {PROMPT}", "type": "server_error", "code": None}}
        )

    generation(_openai(handler))
    listing = _listing(seller)

    assert len(calls) == generate_previews.max_retries + 1
    shown = seller_api.get(f"/api/v1/seller/listings/{listing.public_id}/").json()["images"]
    assert [(i["status"], i["generated_by_platform"]) for i in shown] == [("failed", True)] * 2
    assert "HTTP 503" in shown[0]["failure_reason"]
    assert "Upload your own" in shown[0]["failure_reason"]
    assert SECRET_WORDS not in json.dumps(shown)
    assert SECRET_WORDS not in caplog.text
    submitted = seller_api.post(f"/api/v1/seller/listings/{listing.public_id}/submit/")
    assert submitted.status_code == 409
    assert submitted.json()["error"]["code"] == "needs_preview"


@pytest.mark.django_db
def test_without_a_worker_a_transient_error_fails_the_slots_instead_of_the_request(
    seller, generation, seller_api
):
    # The embedded setup runs tasks in the request after its commit, where Celery cannot retry.
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(504)

    generation(_openai(handler))
    response = seller_api.post(
        "/api/v1/seller/listings/",
        {"title": "Koi", "target_model": "sdxl", "category": "wallpaper", "prompt_text": PROMPT},
        format="json",
    )
    assert response.status_code == 201
    assert len(calls) == 1
    listing_id = response.json()["id"]
    images = seller_api.get(f"/api/v1/seller/listings/{listing_id}/").json()["images"]
    assert [i["status"] for i in images] == ["failed", "failed"]
    assert "HTTP 504" in images[0]["failure_reason"]


@pytest.mark.django_db
def test_a_refused_prompt_fails_at_once_with_a_reason_the_seller_can_act_on(seller, generation):
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return _openai_error(400, "content_policy_violation")

    generation(_openai(handler))
    listing = _listing(seller)

    assert len(calls) == 1
    images = _platform(listing)
    assert [i.status for i in images] == [ImageStatus.FAILED] * 2
    assert "declined this prompt (HTTP 400, content_policy_violation)" in images[0].failure_reason
    assert SECRET_WORDS not in images[0].failure_reason
    event = ListingEvent.objects.get(listing=listing, action="platform_previews_failed")
    assert event.detail["refused"] is True


@pytest.mark.django_db
def test_an_unreadable_generated_image_fails_its_slot(seller, fake):
    fake.data = lambda seed: b"\x89PNG\r\n\x1a\nnot really"
    listing = _listing(seller)
    assert [(i.status, i.failure_reason) for i in _platform(listing)] == [
        (ImageStatus.FAILED, UNREADABLE)
    ] * 2


@pytest.mark.django_db
def test_editing_a_draft_prompt_replaces_its_previews(seller, fake, seller_api):
    listing = _listing(seller)
    old = _platform(listing)

    response = seller_api.patch(
        f"/api/v1/seller/listings/{listing.public_id}/",
        {"prompt_text": "a [animal] made of glass", "variable_examples": {"animal": "heron"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["variable_examples"] == {"animal": "heron"}

    new = _platform(listing)
    assert fake.prompts[-2:] == ["a heron made of glass"] * 2
    assert len(new) == 2 and {i.pk for i in new}.isdisjoint({i.pk for i in old})
    assert all(i.status == ImageStatus.READY for i in new)
    assert not any(default_storage.exists(r["name"]) for i in old for r in i.renditions)


@pytest.mark.django_db
def test_usage_notes_alone_do_not_regenerate_but_example_values_do(seller, fake, seller_api):
    listing = _listing(seller)
    url = f"/api/v1/seller/listings/{listing.public_id}/"
    seller_api.patch(url, {"usage_notes": "Use a high step count."}, format="json")
    assert len(fake.prompts) == 2
    seller_api.patch(url, {"variable_examples": {"animal": "koi", "sky": "violet"}}, format="json")
    assert fake.prompts[-1] == "glowing koi in a neon pond under a violet sky, 8k wallpaper"
    assert len(_platform(listing)) == 2


@pytest.mark.django_db
def test_a_new_version_of_a_published_listing_replaces_the_old_previews_once_ready(seller, fake, seller_api):
    listing = _listing(seller, publish=True, price_amount=0)
    assert listing.status == ListingStatus.PUBLISHED
    first = _platform(listing)

    seller_api.patch(
        f"/api/v1/seller/listings/{listing.public_id}/", {"prompt_text": "a [animal] in snow"}, format="json"
    )

    versions = list(listing.versions.order_by("number"))
    images = _platform(listing)
    assert len(versions) == 2
    assert [(i.prompt_version_id, i.status) for i in images] == [(versions[1].pk, ImageStatus.READY)] * 2
    assert {i.pk for i in images}.isdisjoint({i.pk for i in first})
    assert ListingEvent.objects.filter(listing=listing, action="platform_previews_retired").exists()
    listing.refresh_from_db()
    detail = json.loads(listing.detail_json)
    assert {p["id"] for p in detail["previews"] if p["generated_by_platform"]} == {
        i.public_id for i in images
    }


@pytest.mark.django_db
def test_an_image_made_from_a_text_edited_meanwhile_is_dropped_and_regenerated(seller, fake):
    listing = _listing(seller)
    version = listing.versions.get()

    def edit_during_generation() -> None:
        fake.before_return = None
        type(version).objects.filter(pk=version.pk).update(text="a [animal] on the moon")

    # Re-run with different examples so the slots are stale; the text changes while generating.
    type(version).objects.filter(pk=version.pk).update(variable_examples={"animal": "crane"})
    fake.before_return = edit_during_generation
    with TestCase.captureOnCommitCallbacks(execute=True):
        version_generate_previews(version_id=version.pk)
    assert fake.prompts[2] == "glowing crane in a neon pond under a sky sky, 8k wallpaper"
    assert all(not i.original for i in _platform(listing))  # nothing stored from the outdated text

    with TestCase.captureOnCommitCallbacks(execute=True):
        version_generate_previews(version_id=version.pk)
    assert fake.prompts[-2:] == ["a crane on the moon"] * 2
    assert [i.status for i in _platform(listing)] == [ImageStatus.READY] * 2


def test_fill_variables_uses_examples_and_falls_back_to_the_name():
    assert (
        fill_variables("[ subject ] on a [colour] shirt", {"subject": "a fox"}) == "a fox on a colour shirt"
    )
    assert fill_variables("no variables []", {}) == "no variables []"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("examples", "field_error"),
    [
        ({f"v{n}": "x" for n in range(21)}, "at most 20"),
        ({"animal": "k" * 201}, "200"),
    ],
)
def test_variable_examples_are_limited(seller_api, examples, field_error):
    response = seller_api.post(
        "/api/v1/seller/listings/",
        {
            "title": "Koi",
            "target_model": "sdxl",
            "category": "wallpaper",
            "prompt_text": PROMPT,
            "variable_examples": examples,
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert "variable_examples" in json.dumps(error["fields"])
    assert field_error in json.dumps(error)


@pytest.mark.django_db
def test_variable_examples_round_trip_through_the_seller_api(seller_api):
    response = seller_api.post(
        "/api/v1/seller/listings/",
        {
            "title": "Koi",
            "target_model": "sdxl",
            "category": "wallpaper",
            "prompt_text": PROMPT,
            "variable_examples": {"animal": " koi ", "sky": ""},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["variable_examples"] == {"animal": "koi"}


# --- diffusers, with a tiny randomly initialised pipeline ------------------------------------------


def _byte_level_characters() -> list[str]:
    """GPT-2's byte-to-character table, the alphabet of CLIP's byte-level BPE."""
    printable = [
        *range(ord("!"), ord("~") + 1),
        *range(ord("¡"), ord("¬") + 1),
        *range(ord("®"), ord("ÿ") + 1),
    ]
    extra = iter(range(256, 512))
    return [chr(byte) if byte in printable else chr(next(extra)) for byte in range(256)]


def _tiny_pipeline(path) -> None:  # type: ignore[no-untyped-def]
    """A Stable Diffusion pipeline with random weights and a byte-level CLIP tokenizer, saved to disk."""
    diffusers = pytest.importorskip("diffusers")
    transformers = pytest.importorskip("transformers")
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    characters = _byte_level_characters()
    vocab = {token: index for index, token in enumerate(characters + [c + "</w>" for c in characters])}
    vocab["<|startoftext|>"], vocab["<|endoftext|>"] = len(vocab), len(vocab) + 1
    words = path / "tokenizer-source"
    words.mkdir()
    (words / "vocab.json").write_text(json.dumps(vocab))
    (words / "merges.txt").write_text("#version: 0.2\n")  # no merges: one token per character
    tokenizer = transformers.CLIPTokenizer.from_pretrained(str(words), model_max_length=77)
    text_encoder = transformers.CLIPTextModel(
        transformers.CLIPTextConfig(
            vocab_size=len(vocab),
            bos_token_id=vocab["<|startoftext|>"],
            eos_token_id=vocab["<|endoftext|>"],
            pad_token_id=vocab["<|endoftext|>"],
            hidden_size=32,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            max_position_embeddings=77,
        )
    )
    unet = diffusers.UNet2DConditionModel(
        block_out_channels=(4, 8),
        layers_per_block=1,
        sample_size=16,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        norm_num_groups=2,
    )
    vae = diffusers.AutoencoderKL(
        block_out_channels=[4, 8],
        in_channels=3,
        out_channels=3,
        down_block_types=["DownEncoderBlock2D", "DownEncoderBlock2D"],
        up_block_types=["UpDecoderBlock2D", "UpDecoderBlock2D"],
        latent_channels=4,
        norm_num_groups=2,
    )
    scheduler = diffusers.DDIMScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False
    )
    pipeline = diffusers.StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    pipeline.save_pretrained(path / "tiny-sd")


def test_diffusers_backend_loads_a_local_pipeline_and_is_reproducible(tmp_path, capfd, caplog, monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from prompts.previews.generators.diffusers_local import DiffusersLocal

    _tiny_pipeline(tmp_path)
    generator = DiffusersLocal(path=str(tmp_path / "tiny-sd"), steps=2)
    # Long enough to be truncated at 77 tokens: diffusers' warning about it would quote the prompt.
    prompt = "a koi in a neon pond " * 20
    caplog.set_level(logging.DEBUG)

    images = generator.generate(prompt=prompt, count=2, seed=7, width=32, height=32)
    again = generator.generate(prompt=prompt, count=1, seed=7, width=32, height=32)

    assert generator.model_name == "diffusers/tiny-sd"
    assert [image.seed for image in images] == [7, 8]
    assert images[0].params == {
        "num_inference_steps": 2,
        "guidance_scale": 7.0,
        "width": 32,
        "height": 32,
        "scheduler": "DDIMScheduler",
    }
    for image in images:
        assert Image.open(io.BytesIO(image.data)).size == (32, 32)
    assert again[0].data == images[0].data  # same seed, same image
    assert images[0].data != images[1].data
    printed = capfd.readouterr()
    assert SECRET_WORDS not in printed.out + printed.err + caplog.text


def test_diffusers_backend_reports_a_missing_pipeline_without_downloading(tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    from prompts.previews.generators.diffusers_local import DiffusersLocal

    with pytest.raises(PermanentGeneratorError, match="could not be loaded"):
        DiffusersLocal(path=str(tmp_path / "missing")).generate(
            prompt="x", count=1, seed=1, width=32, height=32
        )


@pytest.mark.django_db
def test_diffusers_previews_end_to_end_through_the_configured_factory(tmp_path, seller, settings):
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    _tiny_pipeline(tmp_path)
    settings.PREVIEW_GENERATOR = "diffusers"
    settings.PREVIEW_DIFFUSERS_PATH = str(tmp_path / "tiny-sd")
    settings.PREVIEW_DIFFUSERS_STEPS = 2
    settings.PREVIEW_GENERATOR_COUNT = 2
    settings.PREVIEW_GENERATOR_WIDTH = settings.PREVIEW_GENERATOR_HEIGHT = 64

    listing = _listing(seller)

    images = _platform(listing)
    assert [(i.status, i.width, i.generator["model"]) for i in images] == [
        (ImageStatus.READY, 64, "diffusers/tiny-sd")
    ] * 2
    assert images[0].generator["params"]["num_inference_steps"] == 2


def test_the_factory_builds_the_configured_backend(settings):
    settings.PREVIEW_GENERATOR = "none"
    assert generators.generator_from_settings() is None
    settings.PREVIEW_GENERATOR, settings.OPENAI_IMAGES_MODEL = "openai", "dall-e-3"
    assert generators.generator_from_settings().model_name == "openai/dall-e-3"
    settings.PREVIEW_GENERATOR, settings.STABILITY_MODEL = "stability", "ultra"
    assert generators.generator_from_settings().model_name == "stability/ultra"
    settings.PREVIEW_GENERATOR, settings.PREVIEW_DIFFUSERS_PATH = "diffusers", "/srv/models/sdxl-turbo"
    assert generators.generator_from_settings().model_name == "diffusers/sdxl-turbo"


def test_a_seed_header_in_other_digits_is_ignored_not_a_crash():
    import httpx

    from prompts.previews.generators.stability import _header_int

    assert _header_int(httpx.Response(200, headers=[(b"seed", b"42")]), "seed", default=7) == 42
    superscript = httpx.Response(200, headers=[(b"seed", "²".encode("latin-1"))])
    assert _header_int(superscript, "seed", default=7) == 7
