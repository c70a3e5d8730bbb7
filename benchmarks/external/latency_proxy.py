"""A TCP proxy that delays every request by a fixed time: S3 as seen over a network.

moto's server answers on loopback in about a millisecond of its own CPU per request, so
against it the time of an S3 workload is mostly moto's CPU. A real S3 endpoint is tens of
milliseconds away and does its work elsewhere; there, the cost is the round trips, which
is what concurrency removes. This proxy sits in front of moto and holds the first bytes
of each HTTP request for `delay` seconds (one delay per request, whatever its size), in
one asyncio thread, so both implementations see the same network.
"""

from __future__ import annotations

import asyncio
import threading

_CHUNK = 256 * 1024


class LatencyProxy:
    """`LatencyProxy(target_port, delay).start()` → listening on `self.port`."""

    def __init__(self, target_port: int, delay: float) -> None:
        self.target_port = target_port
        self.delay = delay
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> LatencyProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        state = {"new_request": True}

        async def upstream() -> None:  # client → server: delay the start of each request
            while data := await reader.read(_CHUNK):
                if state["new_request"]:
                    state["new_request"] = False
                    await asyncio.sleep(self.delay)
                up_writer.write(data)
                await up_writer.drain()
            up_writer.close()

        async def downstream() -> None:  # server → client: a response ends the request
            while data := await up_reader.read(_CHUNK):
                state["new_request"] = True
                writer.write(data)
                await writer.drain()
            writer.close()

        try:
            await asyncio.gather(upstream(), downstream())
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()
            up_writer.close()
