"""What every preview generator implements, and the two errors it may raise.

Error messages are built from our own words, an HTTP status and the provider's short error code,
never from the provider's message text: providers echo the prompt back, and these messages reach
logs, Celery's retry records and the failure reason a seller reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Protocol

_SAFE_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def safe_code(value: object) -> str:
    """A provider's error code if it looks like an identifier; otherwise nothing."""
    return value if isinstance(value, str) and _SAFE_CODE.fullmatch(value) else ""


@dataclass(frozen=True)
class GeneratedImage:
    data: bytes
    seed: int
    params: dict[str, Any] = field(default_factory=dict)


class Generator(Protocol):
    model_name: str

    def generate(
        self, *, prompt: str, count: int, seed: int, width: int, height: int
    ) -> list[GeneratedImage]: ...


class GeneratorError(Exception):
    """A failed generation. ``str()`` is safe to log and to show: it never contains the prompt."""

    def __init__(self, backend: str, problem: str, *, status: int | None = None, code: object = None) -> None:
        self.backend = backend
        self.status = status
        self.code = safe_code(code)
        details = [f"HTTP {status}"] if status is not None else []
        details += [self.code] if self.code else []
        suffix = f" ({', '.join(details)})" if details else ""
        super().__init__(f"{backend}: {problem}{suffix}")


class TransientGeneratorError(GeneratorError):
    """Worth trying again later: a timeout, a rate limit, a provider outage."""


class PermanentGeneratorError(GeneratorError):
    """Trying again will not help: bad configuration, a refused prompt, an unusable response."""

    def __init__(
        self,
        backend: str,
        problem: str,
        *,
        status: int | None = None,
        code: object = None,
        refused: bool = False,
    ) -> None:
        super().__init__(backend, problem, status=status, code=code)
        self.refused = refused  # the provider declined the content: the seller can act on it


def status_is_transient(status: int) -> bool:
    return status in (408, 409, 425, 429) or status >= 500
