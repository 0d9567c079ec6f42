"""The admin over HTTP (``/_emulator/...``), for manual use and for tests that run the emulator as a process.

Only loopback clients are served (403 otherwise), whatever address the server listens on. Routes:

* ``POST /_emulator/reset``                ``{"seed": "empty" | "demo"}``
* ``POST /_emulator/keys``                 ``{"key": ..., "can_read": ..., "can_write": ..., "revoked": ...,
  "daily_limit": ..., "rpm": ...}`` (add or replace)
* ``POST /_emulator/keys/{key}/revoke`` and ``.../restore``
* ``POST /_emulator/faults``               ``{"kind": "latency" | "fail_next" | "error_rate" | "drop_next" |
  "drop_after_next" | "malformed_next" | "rate_limit_next", ...that method's arguments}``
* ``DELETE /_emulator/faults``             clear every fault
* ``GET /_emulator/events`` / ``POST /_emulator/events`` ``{"events": [...]}``
* ``PATCH /_emulator/events/{id}``         the changed fields, as another client would write them
* ``GET /_emulator/requests``              the request log (headers included)
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from klen_desktop.emulator.admin import EmulatorAdmin
from klen_desktop.emulator.keys import ApiKeySpec
from klen_desktop.emulator.state import EmulatorState

_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_FAULT_KINDS = frozenset(
    {"latency", "fail_next", "error_rate", "drop_next", "drop_after_next", "malformed_next", "rate_limit_next"}
)
Endpoint = Callable[[Request], Awaitable[Response]]


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": "admin_error", "message": message}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("Body must be a JSON object")
    return data


def _guarded(handler: Callable[[Request], Awaitable[Any]]) -> Endpoint:
    """Loopback only; ``ValueError``/``KeyError``/``TypeError`` become 400 with the reason."""

    async def endpoint(request: Request) -> Response:
        host = request.client.host if request.client else ""
        if host not in _LOOPBACK:
            return _error(403, "The emulator admin only answers loopback clients")
        try:
            result = await handler(request)
        except (ValueError, KeyError, TypeError) as exc:
            return _error(400, str(exc))
        return JSONResponse({"ok": True} if result is None else result)

    return endpoint


def admin_routes(state: EmulatorState) -> list[Route]:
    admin = EmulatorAdmin(state)

    async def reset(request: Request) -> None:
        admin.reset((await _body(request)).get("seed", "empty"))

    async def add_key(request: Request) -> None:
        admin.add_key(ApiKeySpec(**await _body(request)))

    async def revoke(request: Request) -> None:
        admin.revoke_key(request.path_params["key"])

    async def restore(request: Request) -> None:
        admin.restore_key(request.path_params["key"])

    async def add_fault(request: Request) -> None:
        body = await _body(request)
        kind = body.pop("kind", None)
        if kind not in _FAULT_KINDS:
            raise ValueError(f"kind must be one of {sorted(_FAULT_KINDS)}")
        if kind == "latency" and isinstance(body.get("seconds"), list):
            body["seconds"] = tuple(body["seconds"])
        getattr(state.faults, kind)(**body)

    async def clear_faults(_request: Request) -> None:
        state.faults.clear()

    async def list_events(_request: Request) -> list[dict[str, Any]]:
        return admin.all_events()

    async def insert_events(request: Request) -> dict[str, Any]:
        return {"ids": admin.insert_events((await _body(request)).get("events", []))}

    async def update_event(request: Request) -> dict[str, Any]:
        return admin.update_event(int(request.path_params["event_id"]), await _body(request))

    async def requests(_request: Request) -> list[dict[str, Any]]:
        records = []
        for record in admin.request_log():
            item = asdict(record)
            item["at"] = record.at.isoformat()
            item["headers"] = [list(pair) for pair in record.headers]
            records.append(item)
        return records

    return [
        Route("/reset", _guarded(reset), methods=["POST"]),
        Route("/keys", _guarded(add_key), methods=["POST"]),
        Route("/keys/{key}/revoke", _guarded(revoke), methods=["POST"]),
        Route("/keys/{key}/restore", _guarded(restore), methods=["POST"]),
        Route("/faults", _guarded(add_fault), methods=["POST"]),
        Route("/faults", _guarded(clear_faults), methods=["DELETE"]),
        Route("/events", _guarded(list_events), methods=["GET"]),
        Route("/events", _guarded(insert_events), methods=["POST"]),
        Route("/events/{event_id:int}", _guarded(update_event), methods=["PATCH"]),
        Route("/requests", _guarded(requests), methods=["GET"]),
    ]
