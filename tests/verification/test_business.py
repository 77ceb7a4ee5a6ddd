"""A company seller verifies with its business licence: sandbox, Alibaba Cloud-shaped fake, API, site."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from marketplace.accounts.models import User
from marketplace.core.errors import ApplicationError
from marketplace.verification import business, services
from marketplace.verification.models import Identity, Method, Status, Verification
from tests.factories import UserFactory
from tests.verification.conftest import verify_phone

pytestmark = pytest.mark.django_db

COMPANY = "杭州点心数字科技有限公司"


def credit_code(first_seventeen: str) -> str:
    return first_seventeen + business.credit_code_check_character(first_seventeen)


CODE = credit_code("91330106MA2B0000X")
OTHER_CODE = credit_code("91110108MA01ABCDE")


def _wrong_check(code: str) -> str:
    wrong = next(c for c in business.CREDIT_CODE_CHARACTERS if c != code[17])
    return code[:17] + wrong


def _phone(user: User, aliyun) -> None:  # type: ignore[no-untyped-def]
    services.phone_code_send(user=user, phone="13800000000")
    services.phone_code_confirm(user=user, code=aliyun.last_code)


@pytest.mark.parametrize("published", ["91330100799655058B", "91330110MA2AXY0E7F"])
def test_published_credit_codes_pass_the_gb_32100_check(published) -> None:  # type: ignore[no-untyped-def]
    assert business.normalise_credit_code(published.lower()) == published
    with pytest.raises(ApplicationError, match="last character"):
        business.normalise_credit_code(_wrong_check(published))


def test_a_company_verifies_at_the_provider_and_is_shown_masked(seller, aliyun) -> None:  # type: ignore[no-untyped-def]
    aliyun.companies[CODE] = (COMPANY, "王五")
    _phone(seller, aliyun)
    verification = business.business_verify(
        user=seller, company_name=COMPANY, credit_code=CODE.lower(), legal_representative="王五"
    )
    assert (verification.status, verification.method, verification.provider) == (
        Status.VERIFIED,
        Method.BUSINESS_LICENCE,
        "cn_sms_id",
    )
    assert verification.masked_name == "杭州**科技有限公司"
    assert verification.masked_identifier == f"9133****{CODE[-4:]}"
    sent = aliyun.ent_checks[-1]
    assert (sent["InfoVerifyType"], sent["LicenseNo"], sent["EntName"], sent["LegalPersonName"]) == (
        "ENT_3META",
        CODE,
        COMPANY,
        "王五",
    )
    assert CODE not in repr(list(Verification.objects.values())) + repr(list(Identity.objects.values()))


@pytest.mark.parametrize(("name", "representative"), [(COMPANY, "赵六"), ("杭州别家科技有限公司", "王五")])
def test_a_mismatch_fails_with_a_message_and_verifies_nothing(seller, aliyun, name, representative) -> None:  # type: ignore[no-untyped-def]
    aliyun.companies[CODE] = (COMPANY, "王五")
    _phone(seller, aliyun)
    with pytest.raises(ApplicationError, match="do not match") as refused:
        business.business_verify(
            user=seller, company_name=name, credit_code=CODE, legal_representative=representative
        )
    assert refused.value.status_code == 400
    assert Verification.objects.get(user=seller).status == Status.FAILED
    assert not Identity.objects.exists()


def test_a_wrong_check_character_is_a_400_before_any_provider_call(seller, aliyun) -> None:  # type: ignore[no-untyped-def]
    _phone(seller, aliyun)
    with pytest.raises(ApplicationError) as refused:
        business.business_verify(
            user=seller, company_name=COMPANY, credit_code=_wrong_check(CODE), legal_representative="王五"
        )
    assert refused.value.status_code == 400 and "credit_code" in refused.value.fields
    assert "last character" in refused.value.message
    assert aliyun.ent_checks == [] and not Verification.objects.exists()


def test_one_company_opens_one_shop(seller, other_seller, aliyun) -> None:  # type: ignore[no-untyped-def]
    aliyun.companies[CODE] = (COMPANY, "王五")
    for user in (seller, other_seller):
        _phone(user, aliyun)
    business.business_verify(user=seller, company_name=COMPANY, credit_code=CODE, legal_representative="王五")
    with pytest.raises(ApplicationError) as refused:
        business.business_verify(
            user=other_seller, company_name=COMPANY, credit_code=CODE, legal_representative="王五"
        )
    assert (refused.value.code, refused.value.status_code) == ("identity_in_use", 409)
    assert "company" in refused.value.message
    assert not services.is_seller_verified(other_seller)


@pytest.mark.parametrize("mode", ["down", "slow"])
def test_provider_down_is_a_503_and_writes_nothing(seller, aliyun, mode) -> None:  # type: ignore[no-untyped-def]
    aliyun.companies[CODE] = (COMPANY, "王五")
    _phone(seller, aliyun)
    aliyun.mode = mode
    with pytest.raises(ApplicationError) as refused:
        business.business_verify(
            user=seller, company_name=COMPANY, credit_code=CODE, legal_representative="王五"
        )
    assert (refused.value.code, refused.value.status_code) == ("verification_unavailable", 503)
    assert "try again" in refused.value.message
    assert not Verification.objects.exists() and not Identity.objects.exists()


def test_the_sandbox_verifies_a_company_at_once_and_mismatch_fails(seller, other_seller) -> None:  # type: ignore[no-untyped-def]
    verify_phone(seller)
    with pytest.raises(ApplicationError, match="do not match"):
        business.business_verify(
            user=seller, company_name=COMPANY, credit_code=CODE, legal_representative="Mismatch"
        )
    verification = business.business_verify(
        user=seller, company_name=COMPANY, credit_code=CODE, legal_representative="王五"
    )
    assert verification.status == Status.VERIFIED and services.is_seller_verified(seller)


def test_the_sandbox_refuses_production(settings, seller) -> None:  # type: ignore[no-untyped-def]
    verify_phone(seller)
    settings.VERIFICATION_SANDBOX_ALLOWED = False
    with pytest.raises(Exception, match="DEBUG=0 refuses it"):
        business.business_verify(
            user=seller, company_name=COMPANY, credit_code=CODE, legal_representative="王五"
        )
    assert not services.is_seller_verified(seller)


def test_over_the_api(seller_api, client_for) -> None:  # type: ignore[no-untyped-def]
    body = {"company_name": COMPANY, "credit_code": CODE, "legal_representative": "王五"}
    early = seller_api.post("/api/v1/me/verification/business/", body)
    assert (early.status_code, early.json()["error"]["code"]) == (409, "phone_required")
    seller_api.post("/api/v1/me/verification/phone/", {"phone": "13800000000"})
    seller_api.post("/api/v1/me/verification/phone/confirm/", {"code": "123456"})
    bad = seller_api.post("/api/v1/me/verification/business/", {**body, "credit_code": _wrong_check(CODE)})
    assert bad.status_code == 400 and "credit_code" in bad.json()["error"]["fields"]
    done = seller_api.post("/api/v1/me/verification/business/", body)
    assert done.status_code == 200
    state = done.json()
    assert (state["status"], state["method"], state["masked_name"]) == (
        "verified",
        "business_licence",
        "杭州**科技有限公司",
    )
    assert CODE not in done.content.decode()
    other = UserFactory()
    other_api = client_for(other)
    verify_phone(other, phone="13900000000")
    taken = other_api.post("/api/v1/me/verification/business/", body)
    assert (taken.status_code, taken.json()["error"]["code"]) == (409, "identity_in_use")


def test_the_website_offers_i_am_a_company_in_both_languages(seller) -> None:  # type: ignore[no-untyped-def]
    site = Client()
    site.force_login(seller)
    verify_phone(seller)
    page = site.get("/account/verification/").content.decode()
    assert "I am a company" in page and 'name="credit_code"' in page
    with translation.override("en"):  # the request activates Chinese; later tests read English
        chinese = site.get("/account/verification/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "我是企业" in chinese and "统一社会信用代码" in chinese
    refused = site.post(
        "/account/verification/business/",
        {"company_name": COMPANY, "credit_code": _wrong_check(CODE), "legal_representative": "王五"},
    )
    assert refused.status_code == 400 and "last character" in refused.content.decode()
    assert '<details class="verification-company" id="company" open>' in refused.content.decode()
    done = site.post(
        "/account/verification/business/",
        {"company_name": COMPANY, "credit_code": OTHER_CODE, "legal_representative": "王五"},
    )
    assert done.status_code == 303
    page = site.get("/account/verification/").content.decode()
    assert "杭州**科技有限公司" in page and OTHER_CODE not in page
