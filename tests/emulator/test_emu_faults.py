"""Every fault kind, as an httpx client sees it."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from fixtures_emulator import CREATE, EVENTS, event_body


def test_fail_next_gives_5xx_envelopes_then_recovers(api, emulator):
    emulator.faults.fail_next(2, status=503)
    client = api()
    for _ in range(2):
        response = client.get(EVENTS)
        assert response.status_code == 503
        assert response.json() == {"error": "server_error", "message": "An unexpected server error occurred"}
    assert client.get(EVENTS).status_code == 200
    assert [record.status for record in emulator.admin.request_log()] == [503, 503, 200]
    assert emulator.admin.request_log()[0].fault == "fail"


def test_rules_are_limited_by_method_and_path(api, emulator):
    emulator.faults.fail_next(1, method="post", path="/api/v1/calendar/events/create")
    client = api()
    assert client.get(EVENTS).status_code == 200
    assert client.post(CREATE, json=event_body()).status_code == 500
    assert client.post(CREATE, json=event_body()).status_code == 201
    assert emulator.faults.pending() == 0


def test_faults_apply_only_under_api(emulator, api):
    (event_id,) = emulator.admin.insert_events([event_body()])
    uuid = emulator.admin.event(event_id)["uuid"]
    emulator.faults.fail_next(1)
    assert httpx.get(f"{emulator.url}/calendar/event/{uuid}/calendar.ics", timeout=10).status_code == 200
    assert api().get(EVENTS).status_code == 500


def test_drop_next_is_a_transport_error_and_nothing_is_applied(api, emulator):
    emulator.faults.drop_next(1, method="POST")
    client = api()
    with pytest.raises(httpx.TransportError):
        client.post(CREATE, json=event_body())
    assert emulator.admin.all_events() == []
    assert emulator.admin.request_log()[-1].status is None
    assert client.get(EVENTS).status_code == 200


def test_drop_after_next_applies_the_request_but_loses_the_answer(api, emulator):
    emulator.faults.drop_after_next(1, path=CREATE)
    client = api()
    with pytest.raises(httpx.TransportError):
        client.post(CREATE, json=event_body(title="Ghost"))
    assert [event["title"] for event in emulator.admin.all_events()] == ["Ghost"]
    assert emulator.admin.request_log()[-1].fault == "drop_after"


def test_malformed_next_is_200_with_invalid_json(api, emulator):
    emulator.faults.malformed_next(1)
    response = api().get(EVENTS)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


def test_rate_limit_next_has_retry_after(api, emulator):
    emulator.faults.rate_limit_next(1, retry_after=7)
    response = api().get(EVENTS)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.json()["error"] == "rate_limit_exceeded"


def test_latency_delays_matching_requests(api, emulator):
    emulator.faults.latency(0.3, method="GET")
    client = api()
    started = time.monotonic()
    client.get(EVENTS)
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    client.post(CREATE, json=event_body())
    assert time.monotonic() - started < 0.3


def test_latency_beyond_the_client_timeout_is_a_timeout(emulator, rw_key):
    emulator.faults.latency((0.4, 0.5))
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(emulator.url + EVENTS, headers={"X-API-Key": rw_key}, timeout=0.1)


def test_error_rate_is_seeded_and_switchable(api, emulator):
    def pattern() -> list[int]:
        emulator.faults.error_rate(0.5, seed=3)
        return [client.get(EVENTS).status_code for _ in range(20)]

    client = api()
    first = pattern()
    assert set(first) == {200, 500}
    assert pattern() == first
    emulator.faults.error_rate(0)
    assert {client.get(EVENTS).status_code for _ in range(5)} == {200}


def test_clear_removes_every_rule(api, emulator):
    emulator.faults.fail_next(3)
    emulator.faults.latency(5)
    emulator.faults.error_rate(1.0)
    emulator.faults.clear()
    assert api().get(EVENTS).status_code == 200


@pytest.mark.parametrize(
    "call",
    [
        lambda f: f.fail_next(0),
        lambda f: f.fail_next(1, status=404),
        lambda f: f.error_rate(1.5),
        lambda f: f.latency(-1),
        lambda f: f.latency((2, 1)),
        lambda f: f.rate_limit_next(1, retry_after=-1),
    ],
)
def test_invalid_rules_are_refused(emulator, call):
    with pytest.raises(ValueError):
        call(emulator.faults)
