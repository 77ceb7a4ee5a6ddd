"""The sandbox: verifies instantly, for `make run` and tests (settings refuse it with DEBUG=0).

Its SMS code is always SANDBOX_CODE; the name "Mismatch" fails the identity check, to try failures.
"""

from __future__ import annotations

SANDBOX_CODE = "123456"
MISMATCH_NAME = "Mismatch"


class SandboxProvider:
    name = "sandbox"

    def send_code(self, *, phone: str, code: str) -> None:
        """Nothing is sent: the services use SANDBOX_CODE with this provider."""

    def identity_matches(self, *, name: str, id_number: str) -> bool:
        return name != MISMATCH_NAME
