"""cn_sms_id (Alibaba Cloud SendSms + Id2MetaVerify) against the local fake, never the network."""

from __future__ import annotations

import json

import pytest

from marketplace.core.errors import ApplicationError
from marketplace.verification import services
from marketplace.verification.models import Identity, PhoneVerification, Status, Verification
from tests.verification.conftest import LI_ID, ZHANG_ID

pytestmark = pytest.mark.django_db


def _phone(user, aliyun) -> None:  # type: ignore[no-untyped-def]
    services.phone_code_send(user=user, phone="13800000000")
    services.phone_code_confirm(user=user, code=aliyun.last_code)


def test_the_code_arrives_by_signed_sendsms_and_confirms_the_phone(seller, aliyun) -> None:  # type: ignore[no-untyped-def]
    services.phone_code_send(user=seller, phone="+8613800000000")
    sent = aliyun.sms[-1]
    assert (sent["PhoneNumbers"], sent["SignName"], sent["TemplateCode"]) == (
        "13800000000",
        "点心",
        "SMS_000001",
    )
    assert len(json.loads(sent["TemplateParam"])["code"]) == 6
    assert aliyun.last_code not in repr(list(PhoneVerification.objects.values()))
    services.phone_code_confirm(user=seller, code=aliyun.last_code)
    assert services.is_phone_verified(seller)


def test_a_wrong_code_is_refused_with_a_message(seller, aliyun) -> None:  # type: ignore[no-untyped-def]
    services.phone_code_send(user=seller, phone="13800000000")
    wrong = "000000" if aliyun.last_code != "000000" else "111111"
    with pytest.raises(ApplicationError, match="not the one we sent") as refused:
        services.phone_code_confirm(user=seller, code=wrong)
    assert refused.value.status_code == 400 and "code" in refused.value.fields
    assert not services.is_phone_verified(seller)


def test_name_and_id_number_that_match_verify_the_seller(seller, aliyun) -> None:  # type: ignore[no-untyped-def]
    aliyun.people[ZHANG_ID] = "张三"
    _phone(seller, aliyun)
    verification = services.identity_verify(user=seller, name="张三", id_number=ZHANG_ID.lower())
    assert (verification.status, verification.provider, verification.masked_name) == (
        "verified",
        "cn_sms_id",
        "张*",
    )
    assert aliyun.id_checks[-1]["ParamType"] == "normal"


@pytest.mark.parametrize("number", [ZHANG_ID, LI_ID])  # another person's name; nobody's number
def test_a_mismatch_fails_with_a_message_and_verifies_nothing(seller, aliyun, number) -> None:  # type: ignore[no-untyped-def]
    aliyun.people[ZHANG_ID] = "张三"
    _phone(seller, aliyun)
    with pytest.raises(ApplicationError, match="do not match") as refused:
        services.identity_verify(user=seller, name="李四", id_number=number)
    assert refused.value.status_code == 400
    assert Verification.objects.get(user=seller).status == Status.FAILED
    assert not Identity.objects.exists()


@pytest.mark.parametrize("mode", ["down", "slow"])
def test_provider_down_is_a_503_and_writes_nothing(seller, aliyun, mode) -> None:  # type: ignore[no-untyped-def]
    aliyun.people[ZHANG_ID] = "张三"
    aliyun.mode = mode
    with pytest.raises(ApplicationError) as refused:
        services.phone_code_send(user=seller, phone="13800000000")
    assert (refused.value.code, refused.value.status_code) == ("verification_unavailable", 503)
    assert not PhoneVerification.objects.exists()
    aliyun.mode = "ok"
    _phone(seller, aliyun)
    aliyun.mode = mode
    with pytest.raises(ApplicationError) as refused:
        services.identity_verify(user=seller, name="张三", id_number=ZHANG_ID)
    assert refused.value.status_code == 503
    assert not Verification.objects.exists() and not Identity.objects.exists()


def test_an_sms_refusal_names_the_number_field(seller, aliyun) -> None:  # type: ignore[no-untyped-def]
    aliyun.mode = "limit"
    with pytest.raises(ApplicationError) as refused:
        services.phone_code_send(user=seller, phone="13800000000")
    assert refused.value.status_code == 400 and "phone" in refused.value.fields
    assert not PhoneVerification.objects.exists()


def test_wrong_keys_are_an_operator_failure_not_the_sellers(settings, seller, aliyun) -> None:  # type: ignore[no-untyped-def]
    settings.VERIFICATION_CN_ACCESS_KEY_SECRET = "not-the-secret"
    with pytest.raises(ApplicationError) as refused:
        services.phone_code_send(user=seller, phone="13800000000")
    assert refused.value.status_code == 503
    assert aliyun.sms == []
