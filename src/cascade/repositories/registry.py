"""Every kind's repository, built from the API declarations.

A kind's first API view (the v4 API today) decides where its documents' `href`s point and
the schema its dates are normalised with; every view that publishes events for the kind adds
its recorder, so a change is announced in each API's own envelopes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from cascade.repositories.events import EventRecorder
from cascade.repositories.repository import Repository, WriteHook
from cascade.tmf.declarations import HUB, ApiSpec, Kind, ResourceSpec
from cascade.tmf.events import event_types
from cascade.tmf.kept import KeptAttributes


class Repositories:
    """The repositories by kind: `repositories[PRODUCT_ORDER]`."""

    def __init__(self, repositories: Iterable[Repository]) -> None:
        self._by_name = {repository.kind.name: repository for repository in repositories}

    def __getitem__(self, kind: Kind) -> Repository:
        return self._by_name[kind.name]

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, Kind) and kind.name in self._by_name

    def __iter__(self) -> Iterator[Repository]:
        return iter(self._by_name.values())

    def named(self, name: str) -> Repository:
        """The repository of a kind stored by name (a work item's, a mirror's)."""
        return self._by_name[name]

    @classmethod
    def of_apis(
        cls,
        apis: Sequence[ApiSpec],
        public_url: str,
        on_written: Mapping[Kind, Sequence[WriteHook]] | None = None,
    ) -> Repositories:
        """A repository for every kind the APIs serve, with the hooks the root attaches."""
        hooks = on_written or {}
        views: dict[Kind, list[tuple[ApiSpec, ResourceSpec]]] = {}
        for api in apis:
            for resource in api.all_resources:
                views.setdefault(resource.kind, []).append((api, resource))
        return cls(
            _repository(kind, found, public_url, hooks.get(kind, ()))
            for kind, found in views.items()
        )


def _repository(
    kind: Kind,
    views: list[tuple[ApiSpec, ResourceSpec]],
    public_url: str,
    hooks: Sequence[WriteHook],
) -> Repository:
    api, resource = views[0]
    root = public_url.rstrip("/")
    stored = f"{root}{api.base_path}/{resource.name}"
    found = (recorder_of(a, r, (stored, f"{root}{a.base_path}/{r.name}")) for a, r in views)
    recorders = [recorder for recorder in found if recorder is not None]
    return Repository(
        kind,
        shape=api.spec.shape(kind.entity),
        collection_url=stored,
        recorders=recorders,
        on_written=hooks,
    )


def recorder_of(
    api: ApiSpec, resource: ResourceSpec, hrefs: tuple[str, str] = ("", "")
) -> EventRecorder | None:
    """What records `resource`'s TMF events (None for /hub and event-less resources);
    `hrefs`: the collection the stored `href`s name, and this view's."""
    if resource.name == HUB:
        return None
    types = event_types(api.spec, resource.entity, resource.name)
    if types is None:
        return None
    kind = resource.kind
    ignored = [name for name in (kind.last_update,) if name]
    return EventRecorder(
        api.spec,
        api.code,
        kind.name,
        types,
        state=kind.state,
        ignored=ignored,
        view=resource.view,
        hrefs=hrefs,
        kept=KeptAttributes(kind),
    )
