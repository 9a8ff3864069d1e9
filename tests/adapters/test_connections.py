"""Connection guards of the web front door: a request head that trickles in is cut off, and
connections beyond the cap are refused with 503 rather than exhausting the process."""
from __future__ import annotations

import asyncio

from tests.webtools import request, serving, trickle_until_closed, web_app


async def test_a_request_head_that_trickles_in_is_cut_off(content_dir):
    async with serving(web_app(content_dir), header_timeout=1.0) as url:
        port = int(url.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        took = await trickle_until_closed(reader, writer, 6.0)
        writer.close()
        assert 0.9 <= took < 3.0, f"closed after {took:.1f} s"
        # An honest request on a fresh connection is still answered.
        assert (await request("GET", f"{url}/healthz"))[0] == 200


async def test_a_keep_alive_connection_must_send_its_next_head_in_time(content_dir):
    async with serving(web_app(content_dir), header_timeout=1.0) as url:
        port = int(url.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 200")
        length = int(next(line for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length")).split(b":")[1])
        await reader.readexactly(length)
        took = await trickle_until_closed(reader, writer, 6.0)
        writer.close()
        assert took < 3.0, f"closed after {took:.1f} s"


async def test_connections_over_the_cap_get_503_until_some_close(content_dir):
    async with serving(web_app(content_dir), max_connections=5) as url:
        port = int(url.rsplit(":", 1)[1])
        idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(5)]
        await asyncio.sleep(0.1)
        assert (await request("GET", f"{url}/healthz"))[0] == 503
        for _, writer in idle:
            writer.close()
        await asyncio.sleep(0.2)
        assert (await request("GET", f"{url}/healthz"))[0] == 200
