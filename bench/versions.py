"""TMF622 v4 and v5 side by side on one server: `bench/api.py --versions v4,v5`.

The same intake (POST of the bench's three-item order, in each version's form) and the same
retrieve (GET of the same sampled ids: stored once, shown by each version) through both base
paths, phase by phase and alternating (v4 then v5, then v5 then v4, ...), so that both meet
the same load from the rest of the machine. Each figure is the median of `--rounds`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from cascade.apis.v5.ordering import TMF622_V5
from common import free_port

V4_COLLECTION = "/tmf-api/productOrderingManagement/v4/productOrder"
V5_COLLECTION = "/tmf-api/productOrderingManagement/v5/productOrder"
COLLECTIONS = {"v4": V4_COLLECTION, "v5": V5_COLLECTION}


def v5_body(body: dict[str, Any]) -> dict[str, Any]:
    """The bench's v4 create body as a v5 client sends it (`ProductOrder_FVO`): translated by
    the v5 view, `@type` on every object, checked against the v5 file."""
    resource = TMF622_V5.resource("productOrder")
    assert resource.view is not None
    shown = resource.view.from_stored(body)
    for channel in shown.get("channel", ()):
        channel.setdefault("role", "sales")  # v5 requires it (RelatedChannel)
    TMF622_V5.spec.validate(resource.create_schema, shown)
    return shown


SHAPES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "v4": lambda body: body,
    "v5": v5_body,
}


@dataclass
class Phases:
    """Every round's wrk result of one version's phase."""

    results: list[Any] = field(default_factory=list)

    def median(self, figure: Callable[[Any], float]) -> float:
        return statistics.median(figure(r) for r in self.results) if self.results else 0.0


def per_request_ms(result: Any) -> float:
    return result.server_cpu_s / result.requests * 1000 if result.requests else 0.0


def check_versions(base: str, order_body: Callable[[random.Random, str], dict[str, Any]]) -> None:
    """One order created through each version answers 201 and is read back through both."""
    for version, collection in COLLECTIONS.items():
        body = SHAPES[version](order_body(random.Random(3), f"V-{version}"))
        created = httpx.post(f"{base}{collection}", json=body, timeout=30)
        if created.status_code != 201:
            raise SystemExit(f"{version} POST answered {created.status_code}: {created.text}")
        for other in COLLECTIONS.values():
            read = httpx.get(f"{base}{other}/{created.json()['id']}", timeout=30)
            if read.status_code != 200:
                raise SystemExit(f"GET {other} answered {read.status_code}")


def run_versions(args: argparse.Namespace, url: str, workdir: Path) -> dict[str, Any]:
    """Create and retrieve through each version, alternating; the medians per version."""
    import api  # the bench's main module (imports this one)

    sample = api.sample_orders(url, random.Random(args.seed))
    for version in args.versions:
        parts = api.create_body_parts(SHAPES[version])
        (workdir / f"create-{version}.lua").write_text(
            api.create_script(COLLECTIONS[version], parts)
        )
        (workdir / f"retrieve-{version}.lua").write_text(
            api.retrieve_script(sample.ids, COLLECTIONS[version])
        )
    port = args.port or free_port()
    options = api.ServerOptions(args.workers, args.controllers)
    server = api.Server(url, port, workdir / "server.log", options)
    phases = {(v, p): Phases() for v in args.versions for p in ("create", "retrieve")}
    load = [os.getloadavg()[0]]
    try:
        server.wait_ready()
        check_versions(server.base, api.order_body)

        def wrk(version: str, phase: str, duration: float, label: str) -> Any:
            pids = api.process_tree(server.process.pid)
            before = api.cpu_seconds(pids)
            result = api.run_wrk(
                workdir / f"{phase}-{version}.lua",
                server.base,
                duration=duration,
                connections=args.connections,
                threads=args.threads,
                label=label,
            )
            result.server_cpu_s = api.cpu_seconds(api.process_tree(server.process.pid)) - before
            return result

        for version in args.versions:
            wrk(version, "retrieve", 2, "warm")
        for round_ in range(args.rounds):
            order = args.versions if round_ % 2 == 0 else list(reversed(args.versions))
            for phase in ("create", "retrieve"):
                for version in order:
                    label = f"R{port}{version}{round_}" if phase == "create" else "get"
                    result = wrk(version, phase, args.duration, label)
                    phases[(version, phase)].results.append(result)
                    api.phase(
                        f"round {round_ + 1} {version} {phase}: {result.rps:,.0f} req/s, "
                        f"{per_request_ms(result):.3f} ms CPU/request, "
                        f"{result.unexpected(201 if phase == 'create' else 200)} unexpected"
                    )
            load.append(os.getloadavg()[0])
    finally:
        server.stop()
    return summary(args, phases, load)


def summary(
    args: argparse.Namespace, phases: dict[tuple[str, str], Phases], load: list[float]
) -> dict[str, Any]:
    figures: dict[str, Any] = {"rounds": args.rounds, "load_average_1m": load}
    for (version, phase), found in phases.items():
        figures[f"{version}_{phase}_rps"] = round(found.median(lambda r: r.rps), 1)
        figures[f"{version}_{phase}_cpu_ms"] = round(found.median(per_request_ms), 3)
        figures[f"{version}_{phase}_p50_ms"] = round(found.median(lambda r: r.latency_ms["p50"]), 2)
        figures[f"{version}_{phase}_unexpected"] = sum(
            r.unexpected(201 if phase == "create" else 200) for r in found.results
        )
    if {"v4", "v5"} <= set(args.versions):
        for phase in ("create", "retrieve"):
            for figure in ("rps", "cpu_ms"):
                v4, v5 = figures[f"v4_{phase}_{figure}"], figures[f"v5_{phase}_{figure}"]
                figures[f"v5_over_v4_{phase}_{figure}"] = round(v5 / v4, 3) if v4 else None
    print_versions(figures, args.versions)
    return figures


def print_versions(figures: dict[str, Any], versions: list[str]) -> None:
    print(f"\nmedians of {figures['rounds']} rounds; load average {figures['load_average_1m']}")
    print("figure".ljust(28) + "".join(v.ljust(14) for v in versions) + "v5 / v4")
    for phase in ("create", "retrieve"):
        for figure, unit in (("rps", "req/s"), ("cpu_ms", "ms CPU/req"), ("p50_ms", "ms p50")):
            row = f"{phase} {unit}".ljust(28)
            row += "".join(str(figures.get(f"{v}_{phase}_{figure}")).ljust(14) for v in versions)
            row += str(figures.get(f"v5_over_v4_{phase}_{figure}", ""))
            print(row)
    print(json.dumps(figures, separators=(",", ":")))
