"""The API's verification steps, the same services as the website's."""

from __future__ import annotations

import pytest

from tests.verification.conftest import ZHANG_ID

pytestmark = pytest.mark.django_db


def test_phone_then_identity_over_the_api(seller_api) -> None:  # type: ignore[no-untyped-def]
    state = seller_api.get("/api/v1/me/verification/").json()
    assert (state["phone_verified"], state["status"]) == (False, "unverified")
    early = seller_api.post("/api/v1/me/verification/identity/", {"name": "张三", "id_number": ZHANG_ID})
    assert (early.status_code, early.json()["error"]["code"]) == (409, "phone_required")
    assert seller_api.post("/api/v1/me/verification/phone/", {"phone": "13800000000"}).status_code == 202
    confirmed = seller_api.post("/api/v1/me/verification/phone/confirm/", {"code": "123456"}).json()
    assert (confirmed["phone_verified"], confirmed["masked_phone"]) == (True, "138****0000")
    done = seller_api.post("/api/v1/me/verification/identity/", {"name": "张三", "id_number": ZHANG_ID})
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["masked_name"]) == ("verified", "张*")
    assert ZHANG_ID not in done.content.decode()


def test_bad_input_is_a_400_naming_the_field(seller_api) -> None:  # type: ignore[no-untyped-def]
    response = seller_api.post("/api/v1/me/verification/phone/", {"phone": "555"})
    assert response.status_code == 400 and "phone" in response.json()["error"]["fields"]
    response = seller_api.post("/api/v1/me/verification/phone/confirm/", {})
    assert response.status_code == 400 and "code" in response.json()["error"]["fields"]


def test_provider_down_is_a_503_envelope(seller_api, aliyun) -> None:  # type: ignore[no-untyped-def]
    aliyun.mode = "down"
    response = seller_api.post("/api/v1/me/verification/phone/", {"phone": "13800000000"})
    assert (response.status_code, response.json()["error"]["code"]) == (503, "verification_unavailable")


def test_anonymous_callers_are_refused(anon) -> None:  # type: ignore[no-untyped-def]
    assert anon.get("/api/v1/me/verification/").status_code == 401
