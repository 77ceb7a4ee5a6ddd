"""Stability AI's Stable Image API: POST {base}/v2beta/stable-image/generate/{core|ultra|sd3}.

Multipart form fields in, the image bytes out (``Accept: image/*``), one image per request; the
seed used and whether the output was filtered come back in the ``seed`` and ``finish-reason``
headers.
"""

from __future__ import annotations

import contextlib
from fractions import Fraction

import httpx

from prompts.previews.generators.base import (
    GeneratedImage,
    GeneratorError,
    PermanentGeneratorError,
    TransientGeneratorError,
    status_is_transient,
)

BACKEND = "stability"
ASPECT_RATIOS = ("21:9", "16:9", "3:2", "5:4", "1:1", "4:5", "2:3", "9:16", "9:21")
MAX_SEED = 4_294_967_294  # 0 asks the API for a random seed, so ours run 1..MAX_SEED
REFUSED_NAMES = {"content_moderation"}


def nearest_aspect_ratio(width: int, height: int) -> str:
    target = Fraction(width, height)

    def distance(ratio: str) -> Fraction:
        w, h = ratio.split(":")
        return abs(Fraction(int(w), int(h)) - target)

    return min(ASPECT_RATIOS, key=distance)


class StabilityImages:
    def __init__(
        self,
        *,
        api_key: str,
        model: str = "core",
        base_url: str = "https://api.stability.ai",
        timeout: float = 120.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.model = model
        self.model_name = f"stability/{model}"
        # "sd3.5-large" and friends share the sd3 endpoint and name the model in a form field.
        self._endpoint = "sd3" if model.startswith("sd3") else model
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._timeout = httpx.Timeout(timeout, connect=10.0)
        self._transport = transport

    def generate(
        self, *, prompt: str, count: int, seed: int, width: int, height: int
    ) -> list[GeneratedImage]:
        aspect_ratio = nearest_aspect_ratio(width, height)
        images = []
        with httpx.Client(
            base_url=self._base_url,
            timeout=self._timeout,
            transport=self._transport,
            headers={"Authorization": f"Bearer {self._api_key}", "Accept": "image/*"},
        ) as client:
            for index in range(count):
                wanted_seed = (seed + index) % MAX_SEED + 1
                fields = {
                    "prompt": prompt,
                    "aspect_ratio": aspect_ratio,
                    "output_format": "png",
                    "seed": str(wanted_seed),
                }
                if self._endpoint == "sd3":
                    fields["model"] = self.model
                response = self._post(client, fields)
                used_seed = _header_int(response, "seed", default=wanted_seed)
                params = {"endpoint": self._endpoint, "aspect_ratio": aspect_ratio, "output_format": "png"}
                images.append(GeneratedImage(data=response.content, seed=used_seed, params=params))
        return images

    def _post(self, client: httpx.Client, fields: dict[str, str]) -> httpx.Response:
        # (None, value) parts: a multipart body of plain form fields, as the API requires.
        files = {name: (None, value) for name, value in fields.items()}
        try:
            response = client.post(f"/v2beta/stable-image/generate/{self._endpoint}", files=files)
        except httpx.TimeoutException:
            raise TransientGeneratorError(BACKEND, "the request timed out") from None
        except httpx.TransportError as exc:
            raise TransientGeneratorError(BACKEND, f"network error {type(exc).__name__}") from None
        if response.status_code != 200:
            raise _error(response)
        if response.headers.get("finish-reason", "SUCCESS") == "CONTENT_FILTERED":
            raise PermanentGeneratorError(
                BACKEND, "the image was filtered", status=200, code="CONTENT_FILTERED", refused=True
            )
        if not response.headers.get("content-type", "").startswith("image/"):
            raise PermanentGeneratorError(BACKEND, "the response is not an image", status=200)
        return response


def _header_int(response: httpx.Response, name: str, *, default: int) -> int:
    value = response.headers.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else default


def _error(response: httpx.Response) -> GeneratorError:
    """Errors are ``{"id", "name", "errors": [...]}``; only the status and ``name`` are kept."""
    status = response.status_code
    name: object = None
    with contextlib.suppress(ValueError, AttributeError):
        name = response.json().get("name")
    if name in REFUSED_NAMES:
        return PermanentGeneratorError(
            BACKEND, "the prompt was refused", status=status, code=name, refused=True
        )
    if status_is_transient(status):
        return TransientGeneratorError(BACKEND, "the service is busy or failing", status=status, code=name)
    return PermanentGeneratorError(BACKEND, "the request was rejected", status=status, code=name)
