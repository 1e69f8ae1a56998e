"""A minimal SMTP server for tests: speaks just enough ESMTP (EHLO, AUTH PLAIN, MAIL, RCPT, DATA,
QUIT) to receive what smtplib sends, and keeps each message with its envelope and login."""

from __future__ import annotations

import base64
import socketserver
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Received:
    sender: str = ""
    recipients: list[str] = field(default_factory=list)
    data: str = ""
    login: tuple[str, str] | None = None


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        current, login = Received(), None
        self.reply("220 localhost test SMTP")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode().rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-localhost")
                self.reply("250 AUTH PLAIN")
            elif verb == "AUTH":
                _, user, password = base64.b64decode(line.split()[2]).decode().split("\0")
                login = (user, password)
                self.reply("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                current = Received(sender=line.split(":", 1)[1].strip(" <>"), login=login)
            elif verb == "RCPT":
                current.recipients.append(line.split(":", 1)[1].strip(" <>"))
                self.reply("250 OK")
                continue
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline().decode()) not in (".\r\n", ""):
                    lines.append(data[1:] if data.startswith("..") else data)
                current.data = "".join(lines)
                self.server.received.append(current)  # type: ignore[attr-defined]
                self.reply("250 OK queued")
                continue
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK" if verb in ("RSET", "NOOP") else "502 Not implemented")
                continue
            if verb == "MAIL":
                self.reply("250 OK")


@contextmanager
def smtp_server():
    """A server on a free local port: yields (port, list of Received)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], server.received  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
