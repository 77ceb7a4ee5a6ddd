"""Preview generators: turn a filled prompt into example images, chosen by PREVIEW_GENERATOR.

``none`` (the default) generates nothing; ``openai`` and ``stability`` call a hosted API (the only
network traffic); ``diffusers`` runs a local pipeline. Every backend implements ``Generator``.
"""

from __future__ import annotations

from django.conf import settings

from prompts.previews.generators.base import (
    GeneratedImage,
    Generator,
    GeneratorError,
    PermanentGeneratorError,
    TransientGeneratorError,
)

__all__ = [
    "GeneratedImage",
    "Generator",
    "GeneratorError",
    "PermanentGeneratorError",
    "TransientGeneratorError",
    "generator_from_settings",
]


def generator_from_settings(name: str | None = None) -> Generator | None:
    """The configured backend (``name`` overrides PREVIEW_GENERATOR), or None when generation is off."""
    name = name or settings.PREVIEW_GENERATOR
    timeout = float(settings.PREVIEW_GENERATOR_TIMEOUT)
    if name == "openai":
        from prompts.previews.generators.openai_images import OpenAIImages

        return OpenAIImages(
            api_key=settings.OPENAI_API_KEY,
            model=settings.OPENAI_IMAGES_MODEL,
            base_url=settings.OPENAI_BASE_URL,
            timeout=timeout,
        )
    if name == "stability":
        from prompts.previews.generators.stability import StabilityImages

        return StabilityImages(
            api_key=settings.STABILITY_API_KEY,
            model=settings.STABILITY_MODEL,
            base_url=settings.STABILITY_BASE_URL,
            timeout=timeout,
        )
    if name == "diffusers":
        from prompts.previews.generators.diffusers_local import DiffusersLocal

        return DiffusersLocal(path=settings.PREVIEW_DIFFUSERS_PATH, steps=settings.PREVIEW_DIFFUSERS_STEPS)
    return None
