"""The TMF APIs Cascade serves, each a declaration over the generic layer.

`kinds` declares what is stored, version-neutral; `v4` the v4 APIs, each a view of those
kinds; `v5` the v5 ones, views translated to and from the same stored documents. `ALL_APIS`
is every API served; v4 first, so that the first view of a kind (where `href`s point) is v4's.
"""

from cascade.apis.v4 import V4_APIS
from cascade.apis.v5 import V5_APIS
from cascade.tmf.declarations import ApiSpec, Kind, StoredSchema

ALL_APIS: tuple[ApiSpec, ...] = (*V4_APIS, *V5_APIS)


def stored_schema(kind: Kind) -> StoredSchema | None:
    """The v4 schema a kind's stored documents answer to, for the checks of a v5 write: what
    v5 allows and v4's file refuses must not be stored, since v4 shows the stored document as
    it is (docs/versions.md, ADR 0026)."""
    for api in V4_APIS:
        resource = api.serves(kind)
        if resource is not None:
            label = f"{api.title} v{api.spec.version}"
            # A state machine's state is the server's (v5's `draft` included); a record's
            # state without one (TMF638's `state`) is the client's, and v4 must hold it.
            machine = kind.state if kind.state and kind.state_machine else None
            server_set = frozenset({"id", "href", *([machine] if machine else [])})
            items = kind.item_states if kind.item_state_machine else ()
            server_items = tuple((i.array, i.attribute) for i in items)
            return StoredSchema(api.spec, resource.entity, label, server_set, server_items)
    return None


__all__ = ["ALL_APIS", "stored_schema"]
