"""The generators trials render with, chosen by TRIAL_GENERATOR and TRIAL_TEXT_BASE_URL.

Images reuse the preview generators (their keys and endpoints); ``local`` draws an abstract example
offline. Text goes to an OpenAI-compatible chat completions endpoint, or, offline, to a canned
answer that never contains the prompt. Errors are the preview generators' own: their messages never
carry the prompt or the provider's text.
"""

from __future__ import annotations

import hashlib
import io
import random
from typing import Any, Protocol

import httpx
from django.conf import settings
from PIL import Image, ImageDraw

from prompts.previews.generators import (
    GeneratedImage,
    Generator,
    PermanentGeneratorError,
    TransientGeneratorError,
)
from prompts.previews.generators.base import status_is_transient


class TextGenerator(Protocol):
    model_name: str

    def answer(self, *, prompt: str, max_tokens: int) -> str: ...


class LocalImages:
    """Abstract shapes on a gradient, different per prompt and seed: enough to try the whole flow."""

    model_name = "dimsum/local-trial"

    def generate(
        self, *, prompt: str, count: int, seed: int, width: int, height: int
    ) -> list[GeneratedImage]:
        digest = int.from_bytes(hashlib.sha256(prompt.encode()).digest()[:8], "big")
        return [self._one(digest ^ (seed + n), width, height, seed + n) for n in range(count)]

    def _one(self, key: int, width: int, height: int, seed: int) -> GeneratedImage:
        rng = random.Random(key)
        top = tuple(rng.randrange(256) for _ in range(3))
        bottom = tuple(rng.randrange(256) for _ in range(3))
        image = Image.new("RGB", (width, height))
        draw = ImageDraw.Draw(image)
        for y in range(height):
            mix = y / max(1, height - 1)
            draw.line(
                [(0, y), (width, y)],
                fill=tuple(int(a + (b - a) * mix) for a, b in zip(top, bottom, strict=True)),
            )
        for _ in range(rng.randrange(4, 9)):
            x, y = rng.randrange(width), rng.randrange(height)
            radius = rng.randrange(max(2, width // 20), max(3, width // 4))
            colour = tuple(rng.randrange(256) for _ in range(3))
            draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        return GeneratedImage(data=buffer.getvalue(), seed=seed, params={"size": f"{width}x{height}"})


class LocalText:
    """A plausible, canned answer that mentions neither the prompt nor the buyer's values."""

    model_name = "dimsum/local-trial-text"

    def answer(self, *, prompt: str, max_tokens: int) -> str:
        return (
            "Here is a sample answer produced for this trial. A purchase gives you the full prompt, so "
            "you can run it yourself with any model and any values, at full length. "
            "This trial answer is shortened and only shows the kind of result to expect."
        )


class OpenAIChat:
    """POST {base}/v1/chat/completions with one user message; the answer is choices[0].message.content."""

    backend = "openai-chat"

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str = "",
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.model_name = f"chat/{model}"
        self._model = model
        self._base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._timeout = httpx.Timeout(timeout, connect=10.0)
        self._transport = transport

    def answer(self, *, prompt: str, max_tokens: int) -> str:
        headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
        body = {
            "model": self._model,
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": max_tokens,
        }
        try:
            with httpx.Client(timeout=self._timeout, transport=self._transport) as client:
                response = client.post(f"{self._base_url}/v1/chat/completions", json=body, headers=headers)
        except httpx.TransportError as exc:
            raise TransientGeneratorError(self.backend, f"unreachable ({type(exc).__name__})") from None
        if response.status_code >= 400:
            error_class = (
                TransientGeneratorError
                if status_is_transient(response.status_code)
                else PermanentGeneratorError
            )
            raise error_class(
                self.backend, "request failed", status=response.status_code, code=_error_code(response)
            )
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise PermanentGeneratorError(self.backend, "unusable response") from None
        if not isinstance(content, str) or not content.strip():
            raise PermanentGeneratorError(self.backend, "empty answer")
        return content


def _error_code(response: httpx.Response) -> Any:
    try:
        return response.json().get("error", {}).get("code")
    except (ValueError, AttributeError):
        return None


def image_generator() -> Generator | None:
    name = settings.TRIAL_GENERATOR
    if name == "local":
        return LocalImages()
    if name == "none":
        return None
    from prompts.previews.generators import generator_from_settings

    return generator_from_settings(name)


def text_generator() -> TextGenerator | None:
    if settings.TRIAL_GENERATOR == "none":
        return None
    if settings.TRIAL_TEXT_BASE_URL:
        return OpenAIChat(
            base_url=settings.TRIAL_TEXT_BASE_URL,
            model=settings.TRIAL_TEXT_MODEL,
            api_key=settings.TRIAL_TEXT_API_KEY,
            timeout=float(settings.TRIAL_TEXT_TIMEOUT),
        )
    return LocalText() if settings.TRIAL_GENERATOR == "local" else None
