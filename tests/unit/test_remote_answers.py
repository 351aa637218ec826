"""What the HTTP activation driver makes of an external endpoint's answers."""

from __future__ import annotations

from typing import Any

import msgspec

from cascade.fulfilment.activation.http.answers import (
    Answer,
    Retry,
    after_follow,
    after_patch,
    after_post,
)

URL = "http://remote/tmf-api/ServiceActivationAndConfiguration/v4/service"
MONITOR = "http://remote/tmf-api/ServiceActivationAndConfiguration/v4/monitor/m1"
RETRY = Retry(retries=2, backoff_ms=100, follow_ms=50)


def answer(status: int, body: Any = None, location: str | None = None) -> Answer:
    return Answer(status, b"" if body is None else msgspec.json.encode(body), location)


def test_201_with_an_active_service_is_done() -> None:
    decided = after_post(
        "service", URL, answer(201, {"href": f"{URL}/s1", "state": "active"}), 0, RETRY
    )
    assert decided.phase == "done"
    assert decided.remote_href == f"{URL}/s1"


def test_201_with_a_reserved_resource_is_followed_at_its_href() -> None:
    created = {"href": "http://remote/r/1", "resourceStatus": "reserved"}
    decided = after_post("resource", URL, answer(201, created), 0, RETRY)
    assert (decided.phase, decided.follows, decided.follow_href) == (
        "follow",
        "entity",
        "http://remote/r/1",
    )
    assert decided.delay_ms == 50
    available = answer(200, {**created, "resourceStatus": "available"})
    assert (
        after_follow("resource", "http://remote/r/1", "entity", available, 0, RETRY).phase == "done"
    )


def test_201_with_a_failed_entity_fails_and_spends_the_key() -> None:
    created = {"href": f"{URL}/s1", "state": "inactive", "note": [{"text": "port broken"}]}
    decided = after_post("service", URL, answer(201, created), 0, RETRY)
    assert decided.phase == "failed" and decided.retriable and decided.key_spent
    assert decided.reason is not None and "inactive (port broken)" in decided.reason


def test_202_with_a_monitor_body_follows_the_monitor() -> None:
    monitor = {"href": MONITOR, "state": "InProgress", "sourceHref": f"{URL}/s1"}
    decided = after_post("service", URL, answer(202, monitor, location=MONITOR), 0, RETRY)
    assert (decided.phase, decided.follows, decided.follow_href) == ("follow", "monitor", MONITOR)


def test_202_with_only_a_location_follows_it_at_once() -> None:
    decided = after_post("service", URL, answer(202, location=MONITOR), 0, RETRY)
    assert (decided.phase, decided.follow_href, decided.delay_ms) == ("follow", MONITOR, 0)


def test_202_without_any_monitor_fails_for_good() -> None:
    decided = after_post("service", URL, answer(202), 0, RETRY)
    assert decided.phase == "failed" and not decided.retriable


def test_a_completed_monitor_is_done_and_an_in_error_one_fails_with_its_reason() -> None:
    completed = answer(200, {"state": "Completed", "sourceHref": f"{URL}/s1"})
    done = after_follow("service", MONITOR, "monitor", completed, 0, RETRY)
    assert (done.phase, done.remote_href) == ("done", f"{URL}/s1")

    error = msgspec.json.encode({"code": "activationFailed", "message": "VLAN refused"}).decode()
    in_error = {"state": "InError", "response": {"statusCode": "500", "body": error}}
    failed = after_follow("service", MONITOR, "monitor", answer(200, in_error), 0, RETRY)
    assert failed.phase == "failed" and failed.retriable and failed.key_spent
    assert failed.reason == f"GET {MONITOR}: monitor InError: VLAN refused"

    still = after_follow(
        "service", MONITOR, "monitor", answer(200, {"state": "InProgress"}), 1, RETRY
    )
    assert (still.phase, still.tries, still.delay_ms) == ("follow", 0, 50)


def test_transient_failures_are_retried_with_back_off_then_fail_the_attempt() -> None:
    refused = answer(500, {"code": "internalError", "message": "database down"})
    first = after_post("service", URL, refused, 0, RETRY)
    assert (first.phase, first.tries, first.delay_ms) == ("post", 1, 100)
    second = after_post("service", URL, refused, 1, RETRY)
    assert (second.phase, second.tries, second.delay_ms) == ("post", 2, 200)
    last = after_post("service", URL, refused, 2, RETRY)
    assert last.phase == "failed" and last.retriable and not last.key_spent
    assert last.reason == f"POST {URL} answered 500: database down (3 tries)"

    timeout = after_follow("service", MONITOR, "monitor", Answer(error="ReadTimeout"), 0, RETRY)
    assert (timeout.phase, timeout.follow_href, timeout.tries) == ("follow", MONITOR, 1)
    assert after_post("service", URL, answer(429), 0, RETRY).phase == "post"


def test_other_refusals_fail_for_good() -> None:
    bad = answer(400, {"code": "invalidBody", "message": "serviceSpecification is required"})
    decided = after_post("service", URL, bad, 0, RETRY)
    assert decided.phase == "failed" and not decided.retriable
    assert decided.reason == f"POST {URL} answered 400: serviceSpecification is required"
    gone = after_follow("service", MONITOR, "monitor", answer(404), 0, RETRY)
    assert gone.phase == "failed" and gone.retriable


def test_a_patch_answered_200_is_done_and_a_gone_entity_is_deactivated_already() -> None:
    entity = f"{URL}/s1"
    assert after_patch(
        "deactivate", entity, answer(200, {"state": "inactive"}), 0, RETRY
    ).phase == ("done")
    assert after_patch("modify", entity, answer(204), 0, RETRY).phase == "done"
    assert after_patch("deactivate", entity, answer(404), 0, RETRY).phase == "done"
    gone = after_patch("modify", entity, answer(404), 0, RETRY)
    assert (gone.phase, gone.retriable) == ("failed", False)


def test_a_patch_is_retried_with_back_off_then_fails_and_a_refusal_fails_at_once() -> None:
    entity = f"{URL}/s1"
    again = after_patch("deactivate", entity, answer(503), 1, RETRY)
    assert (again.phase, again.tries, again.delay_ms) == ("patch", 2, 200)
    spent = after_patch("deactivate", entity, Answer(error="ConnectError"), 2, RETRY)
    assert (spent.phase, spent.retriable) == ("failed", True)
    refused = after_patch("deactivate", entity, answer(400, {"message": "no"}), 0, RETRY)
    assert (refused.phase, refused.reason) == ("failed", f"PATCH {entity} answered 400: no")
