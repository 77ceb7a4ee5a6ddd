"""An Alibaba Cloud-shaped fake of SendSms (Dysmsapi), Id2MetaVerify and EntElementVerify (Cloudauth)
over loopback HTTP.

It checks each request's RPC signature (1.0) with the test secret, records the text messages it
"sent" (so a test can read the code as the phone's owner would) and answers the identity check from
the `people` it knows, the company check from its `companies`. `mode` makes it fail: "down"
answers HTTP 503 with an HTML page, "slow" answers after the client's timeout, "limit" refuses
SMS with isv.BUSINESS_LIMIT_CONTROL.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from marketplace.verification.providers.cn_sms_id import sign

ACCESS_KEY_ID = "LTAI-test-dimsum"
ACCESS_KEY_SECRET = "fake-secret-dimsum"


class FakeAliyun:
    def __init__(self) -> None:
        self.sms: list[dict[str, str]] = []  # the requests of SendSms, in order
        self.id_checks: list[dict[str, str]] = []
        self.people: dict[str, str] = {}  # ID number -> name, the register the check answers from
        self.ent_checks: list[dict[str, str]] = []
        # credit code -> (company name, legal representative): the business register
        self.companies: dict[str, tuple[str, str]] = {}
        self.mode = "ok"
        self.slow_seconds = 3.0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                params = dict(parse_qsl(self.rfile.read(length).decode()))
                status, body = fake.answer(params)
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html" if isinstance(body, str) else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> FakeAliyun:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def last_code(self) -> str:
        return str(json.loads(self.sms[-1]["TemplateParam"])["code"])

    def answer(self, params: dict[str, str]) -> tuple[int, Any]:
        if self.mode == "down":
            return 503, "<html><body>503 Service Temporarily Unavailable</body></html>"
        if self.mode == "slow":
            time.sleep(self.slow_seconds)
        signature = params.pop("Signature", "")
        if params.get("AccessKeyId") != ACCESS_KEY_ID or signature != sign(params, ACCESS_KEY_SECRET):
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."}
        if params.get("Action") == "SendSms" and params.get("Version") == "2017-05-25":
            return 200, self._send_sms(params)
        if params.get("Action") == "Id2MetaVerify" and params.get("Version") == "2019-03-07":
            return 200, self._id2meta(params)
        if params.get("Action") == "EntElementVerify" and params.get("Version") == "2019-03-07":
            return 200, self._ent_element(params)
        return 404, {"Code": "InvalidAction.NotFound", "Message": "Specified api is not found."}

    def _send_sms(self, params: dict[str, str]) -> dict[str, Any]:
        if self.mode == "limit":
            return {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"}
        self.sms.append(params)
        return {"Code": "OK", "Message": "OK", "BizId": f"biz-{len(self.sms)}", "RequestId": "req"}

    def _id2meta(self, params: dict[str, str]) -> dict[str, Any]:
        self.id_checks.append(params)
        known = self.people.get(params.get("IdentifyNum", ""))
        biz_code = "3" if known is None else ("1" if known == params.get("UserName") else "2")
        return {
            "Code": "200",
            "Message": "success",
            "RequestId": "req",
            "ResultObject": {"BizCode": biz_code},
        }

    def _ent_element(self, params: dict[str, str]) -> dict[str, Any]:
        required = (
            "SceneCode",
            "MerchantBizId",
            "MerchantUserId",
            "UserAuthorization",
            "LicenseNo",
            "EntName",
        )
        if any(not params.get(name) for name in required) or params.get("InfoVerifyType") != "ENT_3META":
            return {"Code": "MissingParameter", "Message": "缺少必须参数", "RequestId": "req"}
        self.ent_checks.append(params)
        known = self.companies.get(params["LicenseNo"])
        if known is None:
            biz_code, detail = "3", ""
        else:
            flags = [
                flag
                for flag, ok in (
                    ("EntNameFlag", known[0] == params["EntName"]),
                    ("LegalPersonNameFlag", known[1] == params.get("LegalPersonName")),
                )
                if not ok
            ]
            biz_code, detail = ("2", ",".join(flags)) if flags else ("1", "")
        return {
            "Code": "Success",
            "Message": "success",
            "RequestId": "req",
            "Result": {"BizCode": biz_code, "ReasonDetail": detail, "Status": "存续"},
        }
