"""The HTTP transport of the digest fan-out: PTB's request interface on an aiohttp session.

PTB talks to the Bot API through httpx by default. For the daily digests, which send
thousands of messages with hundreds in flight, that transport is where the CPU goes:
measured against the local Bot API stand-in, one httpx request cost 1.5 ms of CPU sent one
at a time and 2.7 ms with 64 in flight (httpcore's pool scans every queued request against
every connection on each request), against 0.4-0.7 ms for aiohttp, whose connector hands out
connections in constant time. Only the digest bot uses this; updates and replies stay on
PTB's own transport.
"""

from __future__ import annotations

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

DEFAULT_TIMEOUT = 5.0  # seconds, PTB's default for connect, read and write
MEDIA_WRITE_TIMEOUT = 20.0


class AiohttpRequest(BaseRequest):
    def __init__(self, connections: int, *, read_timeout: float = DEFAULT_TIMEOUT) -> None:
        self._connections = connections
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        write_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        connect_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
        pool_timeout: float | object | None = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        read = _seconds(read_timeout, self._read_timeout)
        write = _seconds(write_timeout, MEDIA_WRITE_TIMEOUT if files else DEFAULT_TIMEOUT)
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_seconds(pool_timeout, DEFAULT_TIMEOUT),  # waiting for a free connection
            sock_connect=_seconds(connect_timeout, DEFAULT_TIMEOUT),
            # aiohttp has no separate write timeout: a read cannot start before the write ends.
            sock_read=None if read is None or write is None else read + write,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err


def _seconds(value: object, default: float) -> float | None:
    if value is None or isinstance(value, int | float):
        return value
    return default  # PTB's DEFAULT_NONE: not given by the caller


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields as PTB encodes them (values JSON where needed); files as multipart."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        filename, content, mime = part[0], part[1], part[2] if len(part) > 2 else None
        form.add_field(name, content, filename=filename, content_type=mime)
    return form
