"""A lost server connection (issue 17): a clear Spanish message, nothing half-written, and the next attempt works
once the server is back. The connection runs through a small TCP relay that the test cuts and restores."""
from __future__ import annotations

import socket
import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.engine import make_url

from sistema_seguimiento.db.database import ConnectionLost, Database
from sistema_seguimiento.services.capture import ValueChange, capture_rows, save_values
from sistema_seguimiento.services.users import CurrentUser
from tests.dbfixtures import PG_URL

TODAY = date(2026, 11, 15)
ANA = CurrentUser("captura-0301", "capturista", "0301")


class Relay:
    """Forwards 127.0.0.1:<port> to the real server until ``cut()``; ``restore()`` listens again on the same port."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = None
        self._stop = threading.Event()
        self._conns: list[socket.socket] = []
        self._listen()

    def _listen(self) -> None:
        self._stop.clear()
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", self.port or 0))
        self.port = self.server.getsockname()[1]
        self.server.listen(16)
        self.server.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self.server.accept()
            except (socket.timeout, OSError):
                continue
            upstream = socket.create_connection(self.target)
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self._stop.set()
        self.server.close()
        for c in self._conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self._conns.clear()

    def restore(self) -> None:
        self._listen()


def _value(db):
    sheet = capture_rows(db, "2026-10", "0301")
    ci = next(i for i in sheet.indicators if i.key == "E001-A11-01")
    return next(v.value for v in ci.variables if v.key == "RRI")


def test_connection_lost_and_back_postgresql(demo_db):
    if demo_db.engine.dialect.name != "postgresql":
        pytest.skip("only a server connection can be lost")
    from sistema_seguimiento.services import workflow

    # the demo's October is «Validado», read-only for capturistas: the validador returns 0301's first
    workflow.apply(demo_db, CurrentUser("validador", "validador"), "devolver", "2026-10", "0301", "Capture octubre")
    url = make_url(PG_URL)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    db = Database.open(url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False))
    try:
        assert _value(db) == Decimal(24)
        relay.cut()
        with pytest.raises(ConnectionLost) as info:
            save_values(db, ANA, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal("25"))], today=TODAY)
        assert "No hay conexión con el servidor" in str(info.value) and "No se guardó nada" in str(info.value)
        assert "Traceback" not in str(info.value)
        assert _value(demo_db) == Decimal(24)  # nothing half-written (read through a direct connection)
        relay.restore()
        save_values(db, ANA, "2026-10", [ValueChange("E001-A11-01", "RRI", Decimal("25"))], today=TODAY)
        assert _value(demo_db) == Decimal(25)
    finally:
        db.close()
        relay.cut()


def test_server_that_does_not_answer_gives_a_spanish_message():
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    pytest.importorskip("psycopg")
    with pytest.raises(ConnectionLost, match="No hay conexión con el servidor"):
        Database.open(f"postgresql+psycopg://nadie@127.0.0.1:{port}/ses")
