"""The app's HTTP transport (api/asyncio_transport.py) against real servers on loopback, each written to misbehave
in one way: connections are reused only when that is safe, and every failure is one of httpx's errors, in time."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from klen_desktop.api.asyncio_transport import AsyncioTransport
from klen_desktop.api.client import app_http_client
from klen_desktop.api.errors import ConnectionFailed
from klen_desktop.api.transport import error_for_transport

pytestmark = pytest.mark.asyncio(loop_scope="session")

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Server:
    """A loopback server running ``handler`` for each connection; ``connections`` counts them."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.port = 0

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def serving(handler: Handler, tls: ssl.SSLContext | None = None) -> AsyncIterator[Server]:
    server = Server(handler)
    listener = await asyncio.start_server(server._serve, "127.0.0.1", 0, ssl=tls)
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listener.close()


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """The request's head (the tests send no bodies but the one that checks them)."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    return head + (await reader.readexactly(length) if length else b"")


def answer(body: bytes, *extra: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (
        len(body),
        b"".join(h + b"\r\n" for h in extra),
        body,
    )


async def keep_answering(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        request = await read_request(reader)
        writer.write(answer(request.split(b" ")[1]))
        await writer.drain()


def client(timeout: float = 2.0, tls: ssl.SSLContext | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=AsyncioTransport(tls or ssl.create_default_context()), timeout=timeout)


async def test_one_connection_serves_request_after_request() -> None:
    async with serving(keep_answering) as server, client() as http:
        bodies = [(await http.get(f"http://127.0.0.1:{server.port}/{n}?q=1")).content for n in range(3)]
        posted = await http.post(f"http://127.0.0.1:{server.port}/p", content=b"x" * 70_000)
    assert bodies == [b"/0?q=1", b"/1?q=1", b"/2?q=1"] and posted.content == b"/p"
    assert server.connections == 1


async def test_an_answer_dropped_half_read_takes_its_connection_with_it() -> None:
    big = b"a" * 300_000

    async def big_then_small(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await read_request(reader)
            writer.write(answer(big if b"/big" in request else b"small"))
            await writer.drain()

    async with serving(big_then_small) as server, client() as http:
        async with http.stream("GET", f"http://127.0.0.1:{server.port}/big") as response:
            async for _chunk in response.aiter_bytes():
                break  # the rest of the 300 kB is still on its way
        small = await http.get(f"http://127.0.0.1:{server.port}/small")
    assert small.content == b"small"  # not the rest of the big answer
    assert server.connections == 2


async def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def answer_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer(b"once"))  # keep-alive by HTTP/1.1's default, then closed all the same
        await writer.drain()

    async with serving(answer_once) as server, client() as http:
        first = await http.get(f"http://127.0.0.1:{server.port}/")
        await asyncio.sleep(0.1)  # the server's close reaches the idle connection
        second = await http.get(f"http://127.0.0.1:{server.port}/")
    assert (first.content, second.content, server.connections) == (b"once", b"once", 2)


async def test_connection_close_is_honoured() -> None:
    async def closing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(answer(b"bye", b"Connection: close"))
            await writer.drain()

    async with serving(closing) as server, client() as http:
        for _ in range(2):
            assert (await http.get(f"http://127.0.0.1:{server.port}/")).content == b"bye"
    assert server.connections == 2


async def test_a_server_that_never_answers_times_out_on_time() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)

    async with serving(silent) as server, client(timeout=0.3) as http:
        started = asyncio.get_running_loop().time()
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"http://127.0.0.1:{server.port}/")
        assert asyncio.get_running_loop().time() - started < 2


async def test_a_body_that_stalls_times_out_and_its_connection_is_dropped() -> None:
    async def stalls(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf")
        await writer.drain()
        await asyncio.sleep(30)

    async with serving(stalls) as server, client(timeout=0.3) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"http://127.0.0.1:{server.port}/")
        assert http._transport._idle == [] and http._transport._open == set()  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("sent", "why"),
    [
        (b"this is not http\r\n\r\n", "garbage"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "closed mid-body"),
        (b"HTTP/1.1 200 OK\r\nX-Big: " + b"h" * 200_000 + b"\r\n\r\n", "endless headers"),
        (b"", "closed without a word"),
    ],
)
async def test_a_broken_answer_is_a_protocol_error(sent: bytes, why: str) -> None:
    async def broken(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(sent)
        await writer.drain()

    async with serving(broken) as server, client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(f"http://127.0.0.1:{server.port}/")


async def test_a_refused_connection_is_known_never_to_have_reached_the_server() -> None:
    async with serving(keep_answering) as server:
        port = server.port
    async with client() as http:
        with pytest.raises(httpx.ConnectError) as caught:
            await http.get(f"http://127.0.0.1:{port}/")
    error = error_for_transport(caught.value, method="GET", path="/", host="127.0.0.1")
    assert isinstance(error, ConnectionFailed) and error.reached_server is False


async def test_a_cancelled_request_leaves_no_connection_to_reuse() -> None:
    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            request = await read_request(reader)
            if b"/slow" in request:
                await asyncio.sleep(0.5)
            writer.write(answer(request.split(b" ")[1]))
            await writer.drain()

    async with serving(slow) as server, client() as http:
        task = asyncio.ensure_future(http.get(f"http://127.0.0.1:{server.port}/slow"))
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.6)  # the old answer arrives on the cancelled connection, if it were still there
        assert (await http.get(f"http://127.0.0.1:{server.port}/fast")).content == b"/fast"
    assert server.connections == 2


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "klen-test")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


async def test_tls_is_verified_against_the_given_context(tmp_path: Path) -> None:
    cert_file, key_file = self_signed(tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert_file, key_file)
    trusting = ssl.create_default_context(cafile=str(cert_file))
    async with serving(keep_answering, tls=server_tls) as server:
        async with client(tls=trusting) as http:
            assert (await http.get(f"https://127.0.0.1:{server.port}/secure")).content == b"/secure"
        async with client(tls=ssl.create_default_context()) as http:  # the system's authorities: not this one
            with pytest.raises(httpx.ConnectError) as caught:
                await http.get(f"https://127.0.0.1:{server.port}/secure")
    error = error_for_transport(caught.value, method="GET", path="/", host="127.0.0.1")
    assert "could not be verified" in str(error)


async def test_a_proxy_in_the_environment_is_still_used(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await read_request(reader)
        seen.append(request.split(b"\r\n")[0])
        writer.write(answer(b"via proxy", b"Connection: close"))
        await writer.drain()

    async with serving(proxy) as server:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with app_http_client(httpx.URL("http://calendar.example"), httpx.Timeout(2.0)) as http:
            response = await http.get("http://calendar.example/api/v1/me")
    assert response.content == b"via proxy"
    assert seen == [b"GET http://calendar.example/api/v1/me HTTP/1.1"]
