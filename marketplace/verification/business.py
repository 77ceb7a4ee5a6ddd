"""A company seller verifies with its business licence: company name, unified social credit code
(统一社会信用代码) and legal representative, checked at the provider (an enterprise three-factor check).

The credit code's check character (GB 32100-2015) is validated here, so a typo never reaches the
provider. The identity hash is keyed on the credit code: one company opens at most
VERIFICATION_MAX_ACCOUNTS_PER_IDENTITY shops. Only a masked name and code are kept.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from marketplace.verification.models import Method, Verification
from marketplace.verification.providers import provider
from marketplace.verification.services import keyed_hash, require_verifiable, verify_with_provider

# GB 32100-2015: 31 characters (no I, O, Z, S, V), weights 3^i mod 31, check = 31 - sum mod 31.
CREDIT_CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_CREDIT_CODE = re.compile(rf"^[{CREDIT_CODE_CHARACTERS}]{{18}}$")


def credit_code_check_character(first_seventeen: str) -> str:
    total = sum(
        CREDIT_CODE_CHARACTERS.index(c) * w
        for c, w in zip(first_seventeen, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARACTERS[(31 - total % 31) % 31]


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError("invalid", message, fields={field: [message]})


def normalise_credit_code(raw: str) -> str:
    code = re.sub(r"[\s-]", "", raw or "").upper()
    if not _CREDIT_CODE.match(code):
        raise _invalid(
            "credit_code",
            _("Enter the 18-character unified social credit code from your business licence."),
        )
    if credit_code_check_character(code[:17]) != code[17]:
        raise _invalid(
            "credit_code",
            _(
                "This unified social credit code's last character does not fit: "
                "check it against your licence."
            ),
        )
    return code


def mask_company_name(name: str) -> str:
    """杭州某某科技有限公司 -> 杭州**科技有限公司: the place and the kind of company, not which one."""
    if len(name) <= 8:
        return name[:1] + "*" * max(len(name) - 1, 1)
    return f"{name[:2]}**{name[-6:]}"


def mask_credit_code(code: str) -> str:
    return f"{code[:4]}****{code[-4:]}"


def business_verify(
    *, user: User, company_name: str, credit_code: str, legal_representative: str
) -> Verification:
    """Check the company's name, credit code and legal representative with the provider."""
    require_verifiable(user, phone_first=_("Verify your mobile number first, then your business licence."))
    company_name = (company_name or "").strip()
    legal_representative = (legal_representative or "").strip()
    if not 4 <= len(company_name) <= 60:
        raise _invalid("company_name", _("Enter the company's full name exactly as on its business licence."))
    code = normalise_credit_code(credit_code)
    if not 2 <= len(legal_representative) <= 30:
        raise _invalid(
            "legal_representative", _("Enter the legal representative's name as on the business licence.")
        )
    active = provider()
    return verify_with_provider(
        user,
        active,
        lambda: active.business_matches(
            company_name=company_name, credit_code=code, legal_representative=legal_representative
        ),
        failure_reason=_("The company name, credit code and legal representative do not match."),
        mismatch=_invalid(
            "credit_code",
            _(
                "The company name, credit code and legal representative do not match the business register; "
                "check all three against the licence."
            ),
        ),
        key_hash=keyed_hash(f"ent:{code}"),
        masked_name=mask_company_name(company_name),
        masked_id=mask_credit_code(code),
        method=Method.BUSINESS_LICENCE,
        country="CN",  # a unified social credit code is issued in mainland China
        in_use_message=_(
            "This company is already verified on another account. Each company may open only one shop."
        ),
    )
