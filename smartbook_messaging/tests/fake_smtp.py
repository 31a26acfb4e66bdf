"""A loopback SMTP server for tests: enough of RFC 5321 for Python's smtplib (EHLO/HELO,
MAIL, RCPT, DATA, RSET, NOOP, QUIT); records every message it accepts.

    with FakeSmtpServer() as smtp:
        env["ir.mail_server"].create({"name": "fake", "smtp_host": "127.0.0.1", "smtp_port": smtp.port})
        ...
        smtp.messages  # [{"from": ..., "to": [...], "data": "<raw message>"}]
"""

import socketserver
import threading

from .fake_server import LoopbackServer


class _Handler(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        fake = self.server.fake
        self.reply("220 fake-smtp ready")
        sender, recipients = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self.reply("250-fake-smtp")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 fake-smtp")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip())
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    data_line = self.rfile.readline()
                    if not data_line or data_line in (b".\r\n", b".\n"):
                        break
                    lines.append(data_line[1:] if data_line.startswith(b"..") else data_line)
                with fake.lock:
                    fake.messages.append(
                        {"from": sender, "to": recipients, "data": b"".join(lines).decode(errors="replace")}
                    )
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeSmtpServer(LoopbackServer):
    server_class = _Server
    handler_class = _Handler

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.messages = []
