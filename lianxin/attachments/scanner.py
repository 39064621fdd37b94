"""The office's virus scanner, when it switches one on: clamd's INSTREAM command over a socket."""
from __future__ import annotations

import socket
import struct

from .errors import ScannerUnavailable, refused

CHUNK = 64 * 1024


class Clamd:
    """``address`` is ``unix:/run/clamav/clamd.ctl`` or ``host:port`` (clamd's TCPSocket, 3310)."""

    def __init__(self, address: str, timeout: float = 30.0):
        self.address, self.timeout = address, timeout

    def _connect(self) -> socket.socket:
        if self.address.startswith("unix:"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target = self.address[len("unix:"):]
        else:
            host, _, port = self.address.rpartition(":")
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
            target = (host.strip("[]"), int(port))
        sock.settimeout(self.timeout)
        sock.connect(target)
        return sock

    def verdict(self, data: bytes) -> str:
        """clamd's answer for the bytes: ``stream: OK`` or ``stream: <signature> FOUND``."""
        with self._connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start:start + CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                received = sock.recv(4096)
                if not received:
                    break
                answer += received
        return answer.rstrip(b"\0").decode("utf-8", "replace").strip()

    def check(self, data: bytes, name: str, field: str) -> None:
        """Raises AttachmentRefused for a file clamd finds infected, ScannerUnavailable when it cannot say."""
        try:
            answer = self.verdict(data)
        except OSError:
            raise ScannerUnavailable(field) from None
        if answer.endswith("FOUND"):
            signature = answer.removeprefix("stream:").removesuffix("FOUND").strip()
            raise refused("infected", field, name=name, signature=signature)
        if not answer.endswith("OK"):  # "INSTREAM size limit exceeded. ERROR" and the like: unscanned is not clean
            raise ScannerUnavailable(field)
