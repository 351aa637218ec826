"""Reading `/metrics` as Prometheus would: prometheus_client's own text parser."""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client.parser import text_string_to_metric_families

# The families read from the database at scrape time: the same in every process.
FROM_DATABASE = (
    "cascade_database_up",
    "cascade_orders",
    "cascade_work_items",
    "cascade_work_items_due",
    "cascade_work_items_failing",
    "cascade_event_outbox",
    "cascade_event_deliveries_waiting",
    "cascade_pool_allocated",
    "cascade_pool_free",
    "cascade_pool_size",
)

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    """Every sample, by (name, sorted labels)."""
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value; 0 when absent (a counter not yet incremented)."""
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def by_label(samples: Samples, name: str, label: str) -> dict[str, float]:
    """A family's samples by one label's value."""
    return {dict(key[1])[label]: v for key, v in samples.items() if key[0] == name}


def of_database(samples: Mapping[tuple[str, tuple[tuple[str, str], ...]], float]) -> Samples:
    return {key: v for key, v in samples.items() if key[0] in FROM_DATABASE}
