"""OpenAI Images: POST {base}/v1/images/generations, images back as base64 in ``data[].b64_json``."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import httpx

from prompts.previews.generators.base import (
    GeneratedImage,
    GeneratorError,
    PermanentGeneratorError,
    TransientGeneratorError,
    status_is_transient,
)

BACKEND = "openai"
# Codes that mean "this prompt was refused": the seller can edit it; retrying cannot help.
REFUSED_CODES = {"content_policy_violation", "moderation_blocked"}
# A 429 that will not pass with time: the account is out of credit.
PERMANENT_429_CODES = {"insufficient_quota", "billing_hard_limit_reached"}


class OpenAIImages:
    def __init__(
        self,
        *,
        api_key: str,
        model: str = "gpt-image-1",
        base_url: str = "https://api.openai.com",
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.model = model
        self.model_name = f"openai/{model}"
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout, connect=10.0)
        self._transport = transport

    def generate(
        self, *, prompt: str, count: int, seed: int, width: int, height: int
    ) -> list[GeneratedImage]:
        # The Images API has no seed: ours is recorded so the slot is traceable, marked as not applied.
        size = f"{width}x{height}"
        per_request = 1 if self.model.startswith("dall-e-3") else count  # dall-e-3 accepts n=1 only
        images: list[GeneratedImage] = []
        with self._client() as client:
            while len(images) < count:
                n = min(per_request, count - len(images))
                payload = self._post(client, self._body(prompt=prompt, n=n, size=size))
                for data in _decoded_images(payload, expected=n):
                    params = {"size": payload.get("size") or size, "n": n, "seed_applied": False}
                    if payload.get("quality"):
                        params["quality"] = payload["quality"]
                    images.append(GeneratedImage(data=data, seed=seed + len(images), params=params))
        return images

    def _body(self, *, prompt: str, n: int, size: str) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "prompt": prompt, "n": n, "size": size}
        if self.model.startswith("dall-e"):
            # GPT image models always answer in base64 and reject this parameter.
            body["response_format"] = "b64_json"
        return body

    def _client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self._base_url,
            timeout=self._timeout,
            transport=self._transport,
            headers={"Authorization": f"Bearer {self._api_key}"},
        )

    def _post(self, client: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = client.post("/v1/images/generations", json=body)
        except httpx.TimeoutException:
            raise TransientGeneratorError(BACKEND, "the request timed out") from None
        except httpx.TransportError as exc:
            raise TransientGeneratorError(BACKEND, f"network error {type(exc).__name__}") from None
        if response.status_code != 200:
            raise _error(response)
        try:
            payload = response.json()
        except ValueError:
            raise PermanentGeneratorError(BACKEND, "the response is not JSON", status=200) from None
        if not isinstance(payload, dict):
            raise PermanentGeneratorError(BACKEND, "unexpected response shape", status=200)
        return payload


def _decoded_images(payload: dict[str, Any], *, expected: int) -> list[bytes]:
    # Only b64_json is read. dall-e-3's revised_prompt (a rewrite of the prompt) is never kept.
    items = payload.get("data")
    if not isinstance(items, list) or len(items) != expected:
        raise PermanentGeneratorError(BACKEND, "unexpected number of images in the response")
    decoded = []
    for item in items:
        encoded = item.get("b64_json") if isinstance(item, dict) else None
        if not isinstance(encoded, str):
            raise PermanentGeneratorError(BACKEND, "an image in the response has no b64_json")
        try:
            decoded.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            raise PermanentGeneratorError(BACKEND, "an image in the response is not valid base64") from None
    return decoded


def _error(response: httpx.Response) -> GeneratorError:
    """Classify by status and error code; the provider's message (which may quote the prompt) is dropped."""
    status = response.status_code
    code: object = None
    try:
        error = response.json().get("error") or {}
        code = error.get("code") or error.get("type")
    except (ValueError, AttributeError):
        pass
    if code in REFUSED_CODES:
        return PermanentGeneratorError(
            BACKEND, "the prompt was refused", status=status, code=code, refused=True
        )
    if status == 429 and code in PERMANENT_429_CODES:
        return PermanentGeneratorError(
            BACKEND, "the account cannot generate images", status=status, code=code
        )
    if status_is_transient(status):
        return TransientGeneratorError(BACKEND, "the service is busy or failing", status=status, code=code)
    return PermanentGeneratorError(BACKEND, "the request was rejected", status=status, code=code)
