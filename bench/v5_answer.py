"""What a v5 answer costs on its own: the bench's stored order (`api.py`'s three-item order,
as a controller leaves it) decoded, shown in v5 (translation, `@type` naming, what v5
cannot hold left out) and encoded, in a loop in one process.

`time.process_time` per call, the best and the median of `--repeats` runs of `--calls`
calls. Run two trees back to back (`PYTHONPATH=<other tree>/src`) to compare them: the
figure is a floor (warm caches), a request pays more.

    ./dev bench v5_answer --calls 5000 --repeats 7
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import msgspec

from api import order_body
from cascade.apis.v5.ordering import TMF622_V5


def stored_order() -> bytes:
    body: dict[str, Any] = order_body(random.Random(3), "X-1")
    body |= {
        "id": "abc",
        "href": "/tmf-api/productOrderingManagement/v4/productOrder/abc",
        "state": "acknowledged",
        "orderDate": "2026-12-01T09:00:00.000Z",
        "@type": "ProductOrder",
    }
    for item in body["productOrderItem"]:
        item["state"] = "acknowledged"
    return msgspec.json.encode(body)


def timed(step: Callable[[], object], calls: int, repeats: int) -> tuple[float, float]:
    """The best and the median microseconds per call."""
    runs = []
    for _ in range(repeats):
        started = time.process_time()
        for _ in range(calls):
            step()
        runs.append((time.process_time() - started) / calls * 1e6)
    return min(runs), statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    resource = TMF622_V5.resource("productOrder")
    view = resource.view
    assert view is not None
    text = stored_order()
    decode, encode = msgspec.json.decode, msgspec.json.encode
    steps: dict[str, Callable[[], object]] = {
        "decode": lambda: decode(text),
        "decode + show": lambda: view.show(decode(text)),
        "decode + show + encode": lambda: encode(view.show(decode(text))),
    }
    for label, step in steps.items():
        best, median = timed(step, args.calls, args.repeats)
        print(f"{label:24s} best {best:6.1f} us   median {median:6.1f} us")
    print(f"stored {len(text)} bytes, shown {len(encode(view.show(decode(text))))} bytes")


if __name__ == "__main__":
    main()
