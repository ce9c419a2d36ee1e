"""PTB's network layer on aiohttp (already ours, for the web server) instead of httpx.

Measured against the fake Bot API on loopback: a sendMessage costs 0.73 ms of CPU through httpx and 0.18 ms
through aiohttp; a web process makes two or three Bot API calls per update, so this is most of what
separates it from handling hundreds of updates a second. PTB documents `BaseRequest` as the way to bring
another HTTP library; this one sends PTB's parameters as a JSON body (the Bot API takes JSON; PTB provides
`json_payload` for it, and form-encoding a long keyboard costs more than the rest of the request), multipart
when there are files, and maps failures to the same PTB errors as PTB's HTTPXRequest.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON = {"Content-Type": "application/json"}
#: PTB's own defaults (HTTPXRequest): seconds.
READ_TIMEOUT_S, WRITE_TIMEOUT_S, CONNECT_TIMEOUT_S, POOL_TIMEOUT_S = 5.0, 5.0, 5.0, 1.0


class AiohttpRequest(BaseRequest):
    def __init__(self, connection_pool_size: int = 256) -> None:
        self.connection_pool_size = connection_pool_size
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return READ_TIMEOUT_S

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self.connection_pool_size)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read_s = READ_TIMEOUT_S if isinstance(read_timeout, DefaultValue) else read_timeout
        connect_s = CONNECT_TIMEOUT_S if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool_s = POOL_TIMEOUT_S if isinstance(pool_timeout, DefaultValue) else pool_timeout
        timeout = aiohttp.ClientTimeout(sock_connect=connect_s, sock_read=read_s, connect=_sum(connect_s, pool_s))
        try:
            body, headers = _body(request_data)
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientConnectorError as error:  # never left this host (bot/telegram/once.py relies on it)
            raise NetworkError(f"aiohttp ConnectError: {error}") from ConnectError(str(error))
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp {type(error).__name__}: {error}") from error


class ConnectError(Exception):
    """The request could not connect: nothing was sent."""


def _sum(first: float | None, second: float | None) -> float | None:
    return None if first is None or second is None else first + second


def _body(request_data: RequestData | None) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    if request_data is None:
        return None, None
    if not request_data.contains_files:
        return request_data.json_payload, JSON
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, part in request_data.multipart_data.items():
        filename, content, mime_type = part if isinstance(part, tuple) and len(part) == 3 else (name, part, None)
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form, None
