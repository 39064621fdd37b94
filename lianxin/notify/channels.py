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
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol
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
    def __init__(self, reason: str, transient: bool):
        super().__init__(reason)
        self.transient = transient


class Gateway(Protocol):
    def send(self, address: str, message: Outgoing) -> str | None:
        """Send; the provider's message id. Raises SendFailed."""


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
        try:
            answer = httpx.get(self.endpoint, params=params, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise SendFailed(f"Alibaba Cloud SMS at {self.endpoint}: {exc!r}", transient=True) from None
        return self._message_id(answer)

    def signed(self, params: dict) -> dict:
        common = {"AccessKeyId": self.access_key_id, "Format": "JSON", "SignatureMethod": "HMAC-SHA1",
                  "SignatureVersion": "1.0", "SignatureNonce": uuid.uuid4().hex,
                  "Timestamp": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        unsigned = {**common, **params}
        return {**unsigned, "Signature": aliyun_signature(unsigned, self.access_key_secret)}

    def _message_id(self, answer: httpx.Response) -> str:
        try:
            said = answer.json()
        except ValueError:
            raise SendFailed(f"Alibaba Cloud SMS answered {answer.status_code} without JSON",
                             transient=answer.status_code >= 500) from None
        code = said.get("Code")
        if code == "OK":
            return said.get("BizId") or said.get("RequestId")
        transient = answer.status_code >= 500 or code in ALIYUN_TRANSIENT
        raise SendFailed(f"Alibaba Cloud SMS refused it: {code}: {_said(said.get('Message', ''))}", transient)


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
