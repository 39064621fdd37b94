"""Stand-ins for the outside world of notifications: a real SMTP server (aiosmtpd) and a local HTTP server
speaking Alibaba Cloud's SendSms API that checks each request's signature as the provider does."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import datetime, timedelta, timezone
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, urlsplit

from aiosmtpd.controller import Controller

from lianxin.testing import free_port

ACCESS_KEY_ID, ACCESS_KEY_SECRET = "test-key-id", "test-key-secret"
BEIJING = timezone(timedelta(hours=8))


class MailBox:
    """A real SMTP server on a free port; ``messages`` are the e-mails it received."""

    def __init__(self):
        self.messages = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def signature_of(query: dict, secret: str) -> str:
    """Alibaba Cloud's documented RPC signature, written out again here so the adapter is checked, not copied."""
    def enc(text):
        return quote(text, safe="-_.~")
    pairs = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(query.items()) if k != "Signature")
    to_sign = "GET&%2F&" + enc(pairs)
    return base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class SmsProvider:
    """Answers SendSms like Alibaba Cloud: 400 for a bad signature, ``OK`` with a BizId otherwise; and
    QuerySendDetails for a number, BizId and day of sending: delivered (SendStatus 3, ``DELIVERED``), or failed
    (2, ``MK:0001``, the carrier's "number out of service") for a number in ``unreachable``; an unknown
    message or the wrong day finds no record.

    ``failures`` makes the next n calls answer 500; ``slow`` makes every call wait that many seconds."""

    def __init__(self):
        self.received: list[dict] = []
        self.refused: list[str] = []
        self.queried: list[dict] = []
        self.unreachable: set[str] = set()
        self.failures, self.slow = 0, 0.0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                provider.answer(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def answer(self, handler):
        query = dict(parse_qsl(urlsplit(handler.path).query, keep_blank_values=True))
        if self.slow:
            time.sleep(self.slow)
        if query.get("AccessKeyId") != ACCESS_KEY_ID or query.get("Signature") != signature_of(
                query, ACCESS_KEY_SECRET):
            self.refused.append(query.get("Signature", ""))
            return self._reply(handler, 400, {"Code": "SignatureDoesNotMatch", "Message": "bad signature"})
        if self.failures:
            self.failures -= 1
            return self._reply(handler, 500, {"Code": "InternalError", "Message": "try again"})
        if query.get("Action") == "QuerySendDetails":
            return self._reply(handler, 200, self.details(query))
        self.received.append({**query, "TemplateParam": json.loads(query["TemplateParam"]),
                              "BizId": f"biz-{len(self.received) + 1}",
                              "SendDate": datetime.now(BEIJING).strftime("%Y%m%d")})  # the provider's day
        self._reply(handler, 200, {"Code": "OK", "Message": "OK", "BizId": self.received[-1]["BizId"],
                                   "RequestId": "r"})

    def details(self, query: dict) -> dict:
        self.queried.append(query)
        sent = [r for r in self.received if r["BizId"] == query.get("BizId")
                and r["PhoneNumbers"] == query.get("PhoneNumber") and r["SendDate"] == query.get("SendDate")]
        found = [{"PhoneNum": r["PhoneNumbers"], "TemplateCode": r["TemplateCode"], "OutId": "",
                  "SendDate": "2026-12-04 10:00:00", "ReceiveDate": "2026-12-04 10:00:05",
                  **({"SendStatus": 2, "ErrCode": "MK:0001"} if r["PhoneNumbers"] in self.unreachable
                     else {"SendStatus": 3, "ErrCode": "DELIVERED"})} for r in sent]
        return {"Code": "OK", "Message": "OK", "RequestId": "r", "TotalCount": len(found),
                "SmsSendDetailDTOs": {"SmsSendDetailDTO": found}}

    @staticmethod
    def _reply(handler, status, body):
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def to(self, mobile: str) -> list[dict]:
        return [r for r in self.received if r["PhoneNumbers"] == mobile]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
