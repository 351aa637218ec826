"""The console's view of this process as a component: what `cascade component status` says."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from cascade.components import links
from cascade.components.topology import Topology
from cascade.console.reports import ComponentLink, ComponentsReport, ComponentsSource
from cascade.tmf.declarations import ApiSpec


def components_source(topology: Topology, served: Sequence[ApiSpec]) -> ComponentsSource:
    """Reads the report in one read transaction (links, mirrors by phase, those waiting)."""
    remote = topology.remote

    def report(connection: Connection) -> ComponentsReport:
        waiting = [
            {
                "kind": row.kind,
                "id": row.local_id,
                "phase": row.phase,
                "tries": row.tries,
                "remote": row.remote_href,
                "reason": row.reason,
                "at": row.updated_at,
            }
            for row in links.waiting(connection)
        ]
        return ComponentsReport(
            component=topology.component,
            serves=[api.title for api in served],
            next_component=remote.name if remote else None,
            next_url=remote.base_url if remote else None,
            links=[
                ComponentLink(link.hub_url, link.callback, link.subscription_id)
                for link in links.links(connection)
            ],
            phases=links.counts(connection),
            asks_pending=links.asks_pending(connection),
            waiting=waiting,
        )

    return report
