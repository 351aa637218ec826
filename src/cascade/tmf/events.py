"""TMF events: which ones a resource publishes, read from its swagger.

The event types are the swagger's own definitions: `<Entity>CreateEvent`,
`<Entity>AttributeValueChangeEvent` (TMF633/634 call it `<Entity>ChangeEvent`),
`<Entity>StateChangeEvent`, `<Entity>DeleteEvent`, `<Entity>InformationRequiredEvent` and
TMF641's `<Entity>MilestoneEvent` and `<Entity>JeopardyEvent` (TMF622 v5: `MilestoneEvent`,
`JeopardyAlertEvent`, `ErrorMessageEvent`). The outbox writer is
cascade.repositories.events.
"""

from __future__ import annotations

from dataclasses import dataclass

from cascade.tmf.spec import SpecDocument


@dataclass(frozen=True)
class EventTypes:
    """The events one resource publishes, by role (None: its API has no such event)."""

    payload_key: str
    create: str | None = None
    change: str | None = None
    state_change: str | None = None
    delete: str | None = None
    information_required: str | None = None
    milestone: str | None = None
    jeopardy: str | None = None
    error_message: str | None = None

    def all(self) -> tuple[str, ...]:
        names = (
            self.create,
            self.change,
            self.state_change,
            self.delete,
            self.information_required,
            self.milestone,
            self.jeopardy,
            self.error_message,
        )
        return tuple(name for name in names if name)


def event_types(spec: SpecDocument, entity: str, default_key: str) -> EventTypes | None:
    """The events `entity` publishes according to its swagger, or None if it has none."""

    def named(*suffixes: str) -> str | None:
        for suffix in suffixes:
            if spec.has(f"{entity}{suffix}"):
                return f"{entity}{suffix}"
        return None

    types = EventTypes(
        payload_key=default_key,
        create=named("CreateEvent", "CreationNotification"),
        change=named("AttributeValueChangeEvent", "ChangeEvent"),
        state_change=named("StateChangeEvent"),
        delete=named("DeleteEvent", "RemoveEvent"),
        information_required=named("InformationRequiredEvent"),
        milestone=named("MilestoneEvent"),
        jeopardy=named("JeopardyEvent", "JeopardyAlertEvent"),
        error_message=named("ErrorMessageEvent"),
    )
    if not types.all():
        return None
    return EventTypes(**{**types.__dict__, "payload_key": _payload_key(spec, types, default_key)})


def _payload_key(spec: SpecDocument, types: EventTypes, default: str) -> str:
    """The attribute of `event` that holds the entity (`productOrder`), from a payload schema."""
    for name in types.all():
        payload = f"{name}Payload"
        if spec.has(payload):
            keys = sorted(spec.properties(payload))
            if len(keys) == 1:
                return keys[0]
    return default
