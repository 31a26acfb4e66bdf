"""What the loopback fakes of external services share: a threading server on 127.0.0.1 and a
free port, served by a daemon thread from ``start()`` to ``stop()`` (or a ``with`` block).

A fake subclasses :class:`LoopbackServer` and sets ``handler_class`` (its request handler,
which reaches the fake as ``self.server.fake``) and, if need be, ``server_class``.
"""

import threading
from http.server import ThreadingHTTPServer


class LoopbackServer:
    server_class = ThreadingHTTPServer
    handler_class = None
    thread_name = None

    def __init__(self):
        self._server = None
        self._thread = None

    def start(self):
        self._server = self.server_class(("127.0.0.1", 0), self.handler_class)
        self._server.daemon_threads = True
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, name=self.thread_name, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def port(self):
        return self._server.server_address[1]

    @property
    def url(self):
        """Base URL of an HTTP fake."""
        return f"http://127.0.0.1:{self.port}"
