"""A local diffusers pipeline, loaded from PREVIEW_DIFFUSERS_PATH on the worker's CPU.

torch and diffusers are the optional extra ``generators-local``; they are imported only here and
only when this backend is used. Nothing is downloaded: the pipeline is read from disk with
``local_files_only`` and the Hugging Face hub is switched to offline mode before the import.
"""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path
from typing import Any

from prompts.previews.generators.base import GeneratedImage, PermanentGeneratorError

BACKEND = "diffusers"
_PIPELINES: dict[str, Any] = {}  # per worker process: loading takes seconds to minutes
_LOAD_LOCK = threading.Lock()


def _libraries() -> tuple[Any, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    try:
        import diffusers
        import torch
    except ImportError:
        raise PermanentGeneratorError(
            BACKEND, "torch and diffusers are not installed (pip install '.[generators-local]')"
        ) from None
    # Their warnings quote the prompt (CLIP's "this part of your input was truncated: ...").
    diffusers.utils.logging.set_verbosity_error()
    try:
        import transformers

        transformers.utils.logging.set_verbosity_error()
    except ImportError:
        pass
    return torch, diffusers


def load_pipeline(path: str) -> Any:
    torch, diffusers = _libraries()
    with _LOAD_LOCK:
        if path not in _PIPELINES:
            try:
                pipeline = diffusers.DiffusionPipeline.from_pretrained(
                    path, local_files_only=True, torch_dtype=torch.float32
                )
            except (OSError, ValueError) as exc:
                raise PermanentGeneratorError(
                    BACKEND,
                    f"the pipeline at PREVIEW_DIFFUSERS_PATH could not be loaded: {type(exc).__name__}",
                ) from None
            pipeline.to("cpu")
            pipeline.set_progress_bar_config(disable=True)
            _PIPELINES[path] = pipeline
        return _PIPELINES[path]


class DiffusersLocal:
    def __init__(self, *, path: str, steps: int = 25, guidance_scale: float = 7.0) -> None:
        self.path = path
        self.steps = steps
        self.guidance_scale = guidance_scale
        self.model_name = f"diffusers/{Path(path).name}"

    def generate(
        self, *, prompt: str, count: int, seed: int, width: int, height: int
    ) -> list[GeneratedImage]:
        torch, _ = _libraries()
        pipeline = load_pipeline(self.path)
        params = {
            "num_inference_steps": self.steps,
            "guidance_scale": self.guidance_scale,
            "width": width,
            "height": height,
            "scheduler": type(pipeline.scheduler).__name__,
        }
        images = []
        for index in range(count):
            image_seed = seed + index
            generator = torch.Generator(device="cpu").manual_seed(image_seed)
            try:
                with torch.inference_mode():
                    result = pipeline(
                        prompt=prompt,
                        num_inference_steps=self.steps,
                        guidance_scale=self.guidance_scale,
                        width=width,
                        height=height,
                        generator=generator,
                        output_type="pil",
                    )
            except (RuntimeError, ValueError) as exc:
                # Only the type: a message from inside the pipeline may quote its input.
                raise PermanentGeneratorError(BACKEND, f"the pipeline failed: {type(exc).__name__}") from None
            if any(getattr(result, "nsfw_content_detected", None) or []):
                raise PermanentGeneratorError(BACKEND, "the safety checker flagged the image", refused=True)
            buffer = io.BytesIO()
            result.images[0].save(buffer, "PNG")
            images.append(GeneratedImage(data=buffer.getvalue(), seed=image_seed, params=params))
        return images
