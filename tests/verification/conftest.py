from __future__ import annotations

from collections.abc import Iterator

import pytest

from marketplace.accounts.models import User
from marketplace.verification import services
from tests.support.fake_aliyun import ACCESS_KEY_ID, ACCESS_KEY_SECRET, FakeAliyun

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(body: str) -> str:
    """A resident ID number with the right checksum for its first 17 digits."""
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


ZHANG_ID = id_number("11010519491231002")
LI_ID = id_number("44030419900101123")


@pytest.fixture
def gate(settings) -> None:  # type: ignore[no-untyped-def]
    settings.VERIFICATION_REQUIRED = True


@pytest.fixture
def aliyun(settings) -> Iterator[FakeAliyun]:  # type: ignore[no-untyped-def]
    """cn_sms_id against the local Alibaba Cloud-shaped fake."""
    with FakeAliyun() as fake:
        settings.VERIFICATION_PROVIDER = "cn_sms_id"
        settings.VERIFICATION_CN_SMS_URL = fake.url
        settings.VERIFICATION_CN_ID_URL = fake.url
        settings.VERIFICATION_CN_ACCESS_KEY_ID = ACCESS_KEY_ID
        settings.VERIFICATION_CN_ACCESS_KEY_SECRET = ACCESS_KEY_SECRET
        settings.VERIFICATION_CN_SMS_SIGN_NAME = "点心"
        settings.VERIFICATION_CN_SMS_TEMPLATE_CODE = "SMS_000001"
        settings.VERIFICATION_CN_TIMEOUT_SECONDS = 1
        yield fake


def verify_phone(user: User, phone: str = "13800000000") -> None:
    """The sandbox's phone step (its code is fixed)."""
    services.phone_code_send(user=user, phone=phone)
    services.phone_code_confirm(user=user, code="123456")


def verify_seller(user: User, *, name: str = "张三", number: str = ZHANG_ID) -> None:
    verify_phone(user)
    services.identity_verify(user=user, name=name, id_number=number)
