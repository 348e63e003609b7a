"""A tiny SMTP server on 127.0.0.1 for the tests: it speaks just enough SMTP for smtplib
(EHLO, MAIL, RCPT, DATA, QUIT) and keeps each message it receives, raw."""

from __future__ import annotations

import contextlib
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage


class SmtpSink:
    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.refuse = refuse  # recipients answered 550
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        # shutdown() wakes the thread blocked in accept(); close() alone leaves it listening.
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()
        self._thread.join(5)

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as reader:
                self._session(conn, reader)

    def _session(self, conn: socket.socket, reader: object) -> None:
        def say(line: str) -> None:
            conn.sendall(line.encode() + b"\r\n")

        say("220 sink ready")
        rcpts: list[str] = []
        while line := reader.readline():  # type: ignore[attr-defined]
            verb = line.decode().strip().split(" ")[0].upper()
            if verb in ("EHLO", "HELO"):
                say("250 sink")
            elif verb == "MAIL":
                rcpts = []
                say("250 ok")
            elif verb == "RCPT":
                address = line.decode().split("<", 1)[1].split(">", 1)[0]
                if address in self.refuse:
                    say("550 no such mailbox")
                else:
                    rcpts.append(address)
                    say("250 ok")
            elif verb == "DATA":
                say("354 go on")
                data = b""
                while (chunk := reader.readline()) not in (b".\r\n", b""):  # type: ignore[attr-defined]
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                msg = message_from_bytes(data, policy=policy.default)
                assert isinstance(msg, EmailMessage)
                self.messages.append((rcpts, msg))
                say("250 queued")
            elif verb == "QUIT":
                say("221 bye")
                return
            else:
                say("250 ok")
