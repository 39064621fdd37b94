"""How a message goes out: e-mail over SMTP, SMS through a gateway.

An SMS gateway is anything with ``send(mobile, outgoing) -> provider message id``; ``AliyunSms`` speaks
Alibaba Cloud's SendSms API, ``LoggedSms`` only notes it in the log (development). An office with
another provider writes a class of that shape and names it as ``module:Class`` in the service's settings.
A failure says whether trying again may help (the provider down, slow, throttling) or not (a number or
template it refuses).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import importlib
import json
import logging
import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Literal, Protocol
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """One message as it leaves: the template and its variables (SMS providers fill their own copy of the
    template) and the text as rendered in the person's language (e-mail, the log)."""
    template: str
    variables: dict
    subject: str
    text: str
    recipient: str = ""  # staff code or reporter pseudonym: what a log may name instead of the address


class SendFailed(Exception):
    """``reason``: the gateway's own account, for the log; ``kept``: the office's, where it has one (a code of
    lianxin.notify.log.FAILURES kept with its values), else the log says it from the reason."""
    def __init__(self, reason: str, transient: bool, kept: str | None = None):
        super().__init__(reason)
        self.transient = transient
        self.kept = kept


class Gateway(Protocol):
    def send(self, address: str, message: Outgoing) -> str | None:
        """Send; the provider's message id. Raises SendFailed."""


@dataclass(frozen=True)
class Receipt:
    """What the provider knows of a message sent: ``waiting`` (no word from the carrier yet), ``delivered`` or
    ``failed``, with the provider's (or carrier's) code and when the phone received it."""
    state: Literal["waiting", "delivered", "failed"]
    code: str = ""
    at: datetime | None = None


class Receipts(Protocol):
    """A gateway that can say whether a message arrived (SMTP cannot: a server's acceptance is all it gives)."""
    def receipt(self, address: str, provider_id: str, sent_at: datetime) -> Receipt:
        """Ask the provider. Raises SendFailed when it cannot answer."""


@dataclass
class Smtp:
    """E-mail through an SMTP server (smtplib: green under eventlet's monkey-patching)."""
    host: str
    port: int = 25
    sender: str = "lianxin@localhost"
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0

    def send(self, address: str, message: Outgoing) -> str:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, address, message.subject
        mail["Message-ID"] = make_msgid(domain=self.sender.partition("@")[2] or None)
        mail.set_content(message.text)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as server:
                if self.starttls:
                    server.starttls()
                if self.username:
                    server.login(self.username, self.password or "")
                server.send_message(mail)
        except smtplib.SMTPResponseException as exc:  # 4xx: try later; 5xx: refused for good
            raise SendFailed(f"SMTP {exc.smtp_code}: {_said(exc.smtp_error)}", transient=exc.smtp_code < 500) from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendFailed(f"the SMTP server refused the recipient: {exc.recipients}", transient=False) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"SMTP server {self.host}:{self.port}: {exc!r}", transient=True) from None
        return mail["Message-ID"]


@dataclass
class LoggedSms:
    """Development: the SMS is noted in the log, not sent. The log names the recipient's code and the
    template, never the number or the text (a citizen's carries their lookup code)."""
    signature: str = "连心桥"

    def send(self, address: str, message: Outgoing) -> str:
        log.info("SMS %s to %s (not sent, log only)", message.template, message.recipient)
        return f"log-{uuid.uuid4().hex[:16]}"


@dataclass
class LoggedEmail:
    """Development: the e-mail is noted in the log, not sent; the log names the staff code, not the address."""

    def send(self, address: str, message: Outgoing) -> str:
        log.info("e-mail to %s (not sent, log only): %s", message.recipient, message.subject)
        return f"log-{uuid.uuid4().hex[:16]}"


# Alibaba Cloud answers these when it is busy or limiting the rate: worth trying again later
ALIYUN_TRANSIENT = ("Throttling", "isv.BUSINESS_LIMIT_CONTROL", "ServiceUnavailable", "InternalError")


@dataclass
class AliyunSms:
    """Alibaba Cloud SMS, ``SendSms`` of API version 2017-05-25 (RPC style, HMAC-SHA1 signature v1.0).

    The provider keeps the approved template texts: ``templates`` maps each Lianxin template to the
    provider's TemplateCode (``SMS_…``), and the message carries only its variables (TemplateParam).
    """
    access_key_id: str
    access_key_secret: str
    sign_name: str
    templates: dict = field(default_factory=dict)
    endpoint: str = "https://dysmsapi.aliyuncs.com/"
    region: str = "cn-hangzhou"
    timeout: float = 10.0

    def send(self, address: str, message: Outgoing) -> str:
        params = self.signed({
            "Action": "SendSms", "Version": "2017-05-25", "RegionId": self.region, "PhoneNumbers": address,
            "SignName": self.sign_name, "TemplateCode": self.templates.get(message.template, message.template),
            "TemplateParam": json.dumps(message.variables, ensure_ascii=False, separators=(",", ":"))})
        said = self._answer(self._get(params))
        return said.get("BizId") or said.get("RequestId")

    def _get(self, params: dict) -> httpx.Response:
        try:
            return httpx.get(self.endpoint, params=params, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise SendFailed(f"Alibaba Cloud SMS at {self.endpoint}: {exc!r}", transient=True) from None

    def receipt(self, address: str, provider_id: str, sent_at: datetime) -> Receipt:
        """``QuerySendDetails`` for one message: its number, BizId and day of sending (Beijing time). Polling
        rather than the provider's receipt push, so the office needs no address reachable from the Internet
        and no phone number comes in unasked."""
        params = self.signed({
            "Action": "QuerySendDetails", "Version": "2017-05-25", "RegionId": self.region,
            "PhoneNumber": address, "BizId": provider_id, "PageSize": "10", "CurrentPage": "1",
            "SendDate": sent_at.astimezone(ALIYUN_TIME).strftime("%Y%m%d")})
        said = self._answer(self._get(params))
        found = [d for d in (said.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
                 if d.get("BizId", provider_id) == provider_id]
        return _receipt(found[0]) if found else Receipt("waiting")

    def signed(self, params: dict) -> dict:
        common = {"AccessKeyId": self.access_key_id, "Format": "JSON", "SignatureMethod": "HMAC-SHA1",
                  "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex,
                  "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        unsigned = {**common, **params}
        return {**unsigned, "Signature": aliyun_signature(unsigned, self.access_key_secret)}

    def _answer(self, answer: httpx.Response) -> dict:
        try:
            said = answer.json()
        except ValueError:
            raise SendFailed(f"Alibaba Cloud SMS answered {answer.status_code} without JSON",
                             transient=answer.status_code >= 500) from None
        code = said.get("Code")
        if code == "OK":
            return said
        transient = answer.status_code >= 500 or code in ALIYUN_TRANSIENT
        raise SendFailed(f"Alibaba Cloud SMS refused it: {code}: {_said(said.get('Message', ''))}", transient)


# QuerySendDetails: SendStatus 1 waiting for the carrier's receipt, 2 failed, 3 delivered; its times Beijing's
ALIYUN_SEND_STATUS = {1: "waiting", 2: "failed", 3: "delivered"}
ALIYUN_TIME = timezone(timedelta(hours=8), "Beijing")  # the provider's clock, not the county's: no DST, fixed


def _receipt(detail: dict) -> Receipt:
    state = ALIYUN_SEND_STATUS.get(int(detail.get("SendStatus") or 1), "waiting")
    received = detail.get("ReceiveDate")
    try:
        at = datetime.strptime(received, "%Y-%m-%d %H:%M:%S").replace(tzinfo=ALIYUN_TIME) if received else None
    except ValueError:
        at = None
    return Receipt(state, str(detail.get("ErrCode") or "")[:40], at if state != "waiting" else None)


def aliyun_signature(params: dict, secret: str, method: str = "GET") -> str:
    """Alibaba Cloud's RPC signature: HMAC-SHA1 (key: the secret and "&") of the method, "/" and the
    sorted, percent-encoded query, each percent-encoded again, base64."""
    canonical = "&".join(f"{_pct(k)}={_pct(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_pct('/')}&{_pct(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _pct(value) -> str:
    return quote(str(value), safe="~")


def _said(text) -> str:
    text = text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return text.strip()[:200]


def sms_gateway(kind: str, **settings) -> Gateway:
    """The gateway an office configured: ``log``, ``aliyun``, or its own ``module:Class`` (given the same
    settings as keyword arguments)."""
    if kind == "log":
        return LoggedSms(settings.get("sign_name", "连心桥"))
    if kind == "aliyun":
        return AliyunSms(**{k: v for k, v in settings.items() if k in AliyunSms.__dataclass_fields__})
    module, _, name = kind.partition(":")
    if not name:
        raise ValueError(f"SMS gateway {kind!r}: use log, aliyun or module:Class")
    try:
        return getattr(importlib.import_module(module), name)(**settings)
    except (ImportError, AttributeError, TypeError) as exc:
        raise ValueError(f"SMS gateway {kind!r} cannot be made: {exc}") from None
