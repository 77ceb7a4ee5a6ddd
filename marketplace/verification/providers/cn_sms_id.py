"""`cn_sms_id`: a mobile number by SMS code, a name + ID-number two-factor check, and a company's
three-factor check (name, credit code, legal representative), on Alibaba Cloud.

Modelled on Alibaba Cloud's documented RPC APIs (README "Compliance"):
- SMS: Dysmsapi `SendSms` (Version 2017-05-25) with PhoneNumbers, SignName, TemplateCode and
  TemplateParam {"code": ...}; success is Code "OK".
- ID two-factor: Cloudauth `Id2MetaVerify` (Version 2019-03-07) with ParamType=normal, UserName,
  IdentifyNum; Code "200" answers, ResultObject.BizCode "1" is a match, "2" a mismatch, "3" no record.
- Enterprise three-factor check: Cloudauth `EntElementVerify` (Version 2019-03-07) with
  InfoVerifyType=ENT_3META, EntName, LicenseNo (the unified social credit code), LegalPersonName,
  SceneCode, MerchantBizId, MerchantUserId, UserAuthorization=1; Code "Success" answers,
  Result.BizCode "1" is a match, "2" a mismatch, "3" no record.
Requests are signed with signature version 1.0 (HMAC-SHA1 over the sorted, encoded parameters).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from django.conf import settings

from marketplace.verification.providers import ProviderRefused, ProviderUnavailable

SMS_VERSION = "2017-05-25"
ID_VERSION = "2019-03-07"
# SendSms codes that the person can fix (another number, later); anything else is ours to fix.
_SMS_REFUSALS = {"isv.MOBILE_NUMBER_ILLEGAL", "isv.BUSINESS_LIMIT_CONTROL", "isv.DAY_LIMIT_CONTROL"}


def _encode(value: str) -> str:
    return quote(value, safe="~")


def sign(params: dict[str, str], secret: str) -> str:
    """Alibaba Cloud's RPC signature 1.0 of a POST: base64(HMAC-SHA1(secret + '&', string-to-sign))."""
    canonical = "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(params.items()))
    to_sign = f"POST&{_encode('/')}&{_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class CnSmsIdProvider:
    name = "cn_sms_id"

    def _call(self, base_url: str, action: str, version: str, params: dict[str, str]) -> dict[str, Any]:
        common = {
            "Action": action,
            "Version": version,
            "Format": "JSON",
            "AccessKeyId": settings.VERIFICATION_CN_ACCESS_KEY_ID,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        body = {**common, **params}
        body["Signature"] = sign(body, settings.VERIFICATION_CN_ACCESS_KEY_SECRET)
        try:
            response = httpx.post(f"{base_url}/", data=body, timeout=settings.VERIFICATION_CN_TIMEOUT_SECONDS)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise ProviderUnavailable(f"{action}: {type(error).__name__}") from None
        if not isinstance(answer, dict):
            raise ProviderUnavailable(f"{action}: HTTP {response.status_code}, not a JSON object")
        return answer

    def send_code(self, *, phone: str, code: str) -> None:
        answer = self._call(
            settings.VERIFICATION_CN_SMS_URL,
            "SendSms",
            SMS_VERSION,
            {
                "PhoneNumbers": phone,
                "SignName": settings.VERIFICATION_CN_SMS_SIGN_NAME,
                "TemplateCode": settings.VERIFICATION_CN_SMS_TEMPLATE_CODE,
                "TemplateParam": json.dumps({"code": code}),
            },
        )
        result = str(answer.get("Code", ""))
        if result == "OK":
            return
        if result in _SMS_REFUSALS:
            raise ProviderRefused(result)
        raise ProviderUnavailable(f"SendSms: {result or 'no Code'}")

    def identity_matches(self, *, name: str, id_number: str) -> bool:
        answer = self._call(
            settings.VERIFICATION_CN_ID_URL,
            "Id2MetaVerify",
            ID_VERSION,
            {"ParamType": "normal", "UserName": name, "IdentifyNum": id_number},
        )
        biz_code = (
            (answer.get("ResultObject") or {}).get("BizCode") if str(answer.get("Code")) == "200" else None
        )
        if biz_code == "1":
            return True
        if biz_code in ("2", "3"):  # inconsistent, or no such record: the same to the person
            return False
        raise ProviderUnavailable(f"Id2MetaVerify: Code {answer.get('Code')!r}")

    def business_matches(self, *, company_name: str, credit_code: str, legal_representative: str) -> bool:
        answer = self._call(
            settings.VERIFICATION_CN_ID_URL,
            "EntElementVerify",
            ID_VERSION,
            {
                "SceneCode": settings.VERIFICATION_CN_ENT_SCENE_CODE,
                "MerchantBizId": uuid.uuid4().hex,
                # The provider's own trace id for the request; never the credit code or a user id.
                "MerchantUserId": uuid.uuid4().hex,
                "UserAuthorization": "1",  # the seller asked for the check by submitting the form
                "InfoVerifyType": "ENT_3META",
                "EntName": company_name,
                "LicenseNo": credit_code,
                "LegalPersonName": legal_representative,
            },
        )
        result = answer.get("Result") if str(answer.get("Code")) == "Success" else None
        biz_code = result.get("BizCode") if isinstance(result, dict) else None
        if biz_code == "1":
            return True
        if biz_code in ("2", "3"):  # inconsistent, or no such company: the same to the seller
            return False
        raise ProviderUnavailable(f"EntElementVerify: Code {answer.get('Code')!r}")
