"""Requests a caller gives up on are abandoned to finish alone, never cancelled midway."""

from __future__ import annotations

import asyncio
import gc

import pytest

from adapters.uncancelled import finish_uncancelled


async def test_the_answer_and_the_error_reach_a_caller_who_waits() -> None:
    async def answered() -> str:
        await asyncio.sleep(0)
        return "answer"

    async def failed() -> str:
        await asyncio.sleep(0)
        raise ConnectionResetError("reset by peer")

    assert await finish_uncancelled(answered()) == "answer"
    with pytest.raises(ConnectionResetError):
        await finish_uncancelled(failed())


async def test_a_caller_who_gives_up_stops_waiting_while_the_request_carries_on() -> None:
    server_answers = asyncio.Event()
    ended: list[str] = []

    async def request() -> str:
        await server_answers.wait()
        ended.append("request")
        return "late answer"

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await finish_uncancelled(request(), on_done=lambda: ended.append("on_done"))
    assert ended == []  # the caller left; the request is still under way, not cancelled
    gc.collect()  # held while under way, though nobody awaits it any more
    server_answers.set()
    for _ in range(3):
        await asyncio.sleep(0)
    assert ended == ["request", "on_done"]  # `on_done` once it has really ended


async def test_an_abandoned_request_that_fails_is_not_reported_as_unhandled() -> None:
    loop = asyncio.get_running_loop()
    unhandled: list[object] = []
    loop.set_exception_handler(lambda _, context: unhandled.append(context))
    try:

        async def failing_later() -> None:
            await asyncio.sleep(0.02)
            raise ConnectionResetError("reset by peer")

        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.005):
                await finish_uncancelled(failing_later())
        await asyncio.sleep(0.05)
        gc.collect()
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)
    assert unhandled == []
