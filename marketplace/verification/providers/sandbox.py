"""The sandbox: verifies instantly, for `make run` and tests (settings refuse it with DEBUG=0).

Its SMS code is always SANDBOX_CODE; the name "Mismatch" (a person's, or a company's legal
representative's) fails the identity or business check, to try failures.
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

    def business_matches(self, *, company_name: str, credit_code: str, legal_representative: str) -> bool:
        return legal_representative != MISMATCH_NAME
