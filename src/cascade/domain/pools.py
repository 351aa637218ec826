"""Resource pools declared by TMF634 resource specifications (see docs/catalog-guide.md).

Only characteristics with `configurable: false` take part; each is one of:

- ALLOCATED: its `resourceSpecCharacteristicValue` describes a set of values: an integer range
  (`valueFrom`/`valueTo`, honouring `rangeInterval`), several entries with a `value`, or an
  entry with `valueType: "IPv4Prefix"` and a CIDR `value` (its host addresses). Several
  entries of one characteristic are concatenated in declaration order.
- FIXED: exactly one entry with a plain `value`: copied into every allocation.
- SCOPE: no entries and `minCardinality >= 1`: the value comes from the caller's context and
  is part of the pool key (`rs-vlan|oltId=olt-1`), so each scope value has its own pool.
- ignored: no entries and `minCardinality` 0 (filled later, for example by activation).

Several allocated characteristics form the cartesian product in declaration order: an ordinal
is read as a mixed-radix number whose most significant digit is the first characteristic.
Appending values to the first allocated characteristic therefore keeps every existing
ordinal's meaning; any other change of the allocated values of a specification in use does not.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

IPV4_PREFIX = "IPv4Prefix"
# rangeInterval -> (exclude valueFrom, exclude valueTo)
RANGE_INTERVALS = {
    "closed": (False, False),
    "open": (True, True),
    "closedBottom": (False, True),
    "closedTop": (True, False),
}


class MissingScope(ValueError):  # noqa: N818 - the name the ROM controller uses
    """The caller's context lacks a value the pool is scoped by."""

    def __init__(self, name: str, specification_id: str = "") -> None:
        where = f" of resource specification '{specification_id}'" if specification_id else ""
        super().__init__(f"the pool{where} is scoped by '{name}', and no value was given for it")
        self.name = name


class PoolDeclarationError(ValueError):
    """A characteristic declares its allocatable values in a way Cascade cannot use."""


@dataclass(frozen=True)
class IntegerRange:
    low: int
    high: int  # inclusive

    @property
    def size(self) -> int:
        return self.high - self.low + 1

    def at(self, index: int) -> int:
        return self.low + index

    def index_of(self, value: Any) -> int | None:
        number = _as_int(value)
        return None if number is None or not self.low <= number <= self.high else number - self.low


@dataclass(frozen=True)
class Ipv4Hosts:
    """The host addresses of a prefix: without network and broadcast below /31 (RFC 3021)."""

    prefix: ipaddress.IPv4Network

    @property
    def _first(self) -> int:
        skip = 1 if self.prefix.prefixlen <= 30 else 0
        return int(self.prefix.network_address) + skip

    @property
    def size(self) -> int:
        total = self.prefix.num_addresses
        return total - 2 if self.prefix.prefixlen <= 30 else total

    def at(self, index: int) -> str:
        return str(ipaddress.IPv4Address(self._first + index))

    def index_of(self, value: Any) -> int | None:
        try:
            index = int(ipaddress.IPv4Address(value)) - self._first
        except ValueError:
            return None
        return index if 0 <= index < self.size else None


@dataclass(frozen=True)
class OneValue:
    value: Any

    size = 1

    def at(self, _index: int) -> Any:
        return self.value

    def index_of(self, value: Any) -> int | None:
        return 0 if value == self.value else None


Segment = IntegerRange | Ipv4Hosts | OneValue


@dataclass(frozen=True)
class AllocatedCharacteristic:
    """One allocated characteristic: its segments, concatenated in declaration order."""

    name: str
    segments: tuple[Segment, ...]
    as_text: bool = False  # valueType "string": integers from a range are given as text

    @property
    def size(self) -> int:
        return sum(segment.size for segment in self.segments)

    def at(self, index: int) -> Any:
        for segment in self.segments:
            if index < segment.size:
                value = segment.at(index)
                return str(value) if self.as_text and isinstance(segment, IntegerRange) else value
            index -= segment.size
        raise IndexError(f"{self.name}: index {index} is outside the characteristic's values")

    def index_of(self, value: Any) -> int | None:
        offset = 0
        for segment in self.segments:
            index = segment.index_of(value)
            if index is not None:
                return offset + index
            offset += segment.size
        return None


@dataclass(frozen=True)
class PoolDefinition:
    """The values one resource specification allocates, and how a resource's values are built."""

    specification_id: str
    allocated: tuple[AllocatedCharacteristic, ...]
    scopes: tuple[str, ...] = ()
    fixed: tuple[tuple[str, Any], ...] = ()
    order: tuple[str, ...] = ()  # every characteristic name, in declaration order

    @property
    def size(self) -> int:
        size = 1
        for characteristic in self.allocated:
            size *= characteristic.size
        return size

    def key(self, context: Mapping[str, Any]) -> str:
        """`spec-id|scope=value|...`: one pool per combination of scope values."""
        parts = [self.specification_id]
        for name in self.scopes:
            parts.append(f"{name}={quote(str(self._scope_value(name, context)), safe='')}")
        return "|".join(parts)

    def values(self, ordinal: int, context: Mapping[str, Any]) -> dict[str, Any]:
        """Every characteristic value of the resource holding `ordinal`, by name."""
        if not 0 <= ordinal < self.size:
            raise IndexError(f"ordinal {ordinal} is outside pool '{self.specification_id}'")
        found: dict[str, Any] = dict(self.fixed)
        for name in self.scopes:
            found[name] = self._scope_value(name, context)
        for characteristic in reversed(self.allocated):
            ordinal, digit = divmod(ordinal, characteristic.size)
            found[characteristic.name] = characteristic.at(digit)
        return {name: found[name] for name in self.order if name in found}

    def ordinal_of(self, values: Mapping[str, Any]) -> int:
        """The inverse of `values`: the ordinal of the allocated characteristics' values."""
        ordinal = 0
        for characteristic in self.allocated:
            index = characteristic.index_of(values.get(characteristic.name))
            if index is None:
                raise ValueError(
                    f"{characteristic.name}={values.get(characteristic.name)!r} is not in "
                    f"pool '{self.specification_id}'"
                )
            ordinal = ordinal * characteristic.size + index
        return ordinal

    def _scope_value(self, name: str, context: Mapping[str, Any]) -> Any:
        value = context.get(name)
        if value is None or value == "":
            raise MissingScope(name, self.specification_id)
        return value


def pool_for(resource_specification: Mapping[str, Any]) -> PoolDefinition | None:
    """The pool a TMF634 ResourceSpecification declares; None when it allocates nothing."""
    specification_id = resource_specification.get("id")
    if not isinstance(specification_id, str) or not specification_id:
        raise PoolDeclarationError("a resource specification needs a string id")
    allocated: list[AllocatedCharacteristic] = []
    scopes: list[str] = []
    fixed: list[tuple[str, Any]] = []
    order: list[str] = []
    for characteristic in resource_specification.get("resourceSpecCharacteristic") or ():
        if (
            not isinstance(characteristic, Mapping)
            or characteristic.get("configurable") is not False
        ):
            continue
        name = characteristic.get("name")
        where = f"resource specification '{specification_id}'"
        if not isinstance(name, str) or not name:
            raise PoolDeclarationError(f"{where}: a characteristic has no name")
        if name in order:
            raise PoolDeclarationError(f"{where}: characteristic '{name}' is declared twice")
        entries = characteristic.get("resourceSpecCharacteristicValue") or []
        if not entries:
            if int(characteristic.get("minCardinality") or 0) >= 1:
                scopes.append(name)
                order.append(name)
            continue
        order.append(name)
        segments = tuple(_segment(entry, f"{where}, characteristic '{name}'") for entry in entries)
        if len(segments) == 1 and isinstance(segments[0], OneValue):
            fixed.append((name, segments[0].value))
            continue
        _check_disjoint(segments, f"{where}, characteristic '{name}'")
        as_text = characteristic.get("valueType") == "string"
        allocated.append(AllocatedCharacteristic(name, segments, as_text))
    if not allocated:
        return None
    return PoolDefinition(
        specification_id, tuple(allocated), tuple(scopes), tuple(fixed), tuple(order)
    )


def _segment(entry: Any, where: str) -> Segment:
    if not isinstance(entry, Mapping):
        raise PoolDeclarationError(f"{where}: a value entry is not an object")
    if entry.get("valueType") == IPV4_PREFIX:
        try:
            prefix = ipaddress.IPv4Network(str(entry.get("value")), strict=True)
        except ValueError as exc:
            raise PoolDeclarationError(f"{where}: {exc}") from None
        return Ipv4Hosts(prefix)
    if "valueFrom" in entry or "valueTo" in entry:
        low, high = _as_int(entry.get("valueFrom")), _as_int(entry.get("valueTo"))
        if low is None or high is None:
            raise PoolDeclarationError(f"{where}: a range needs integer valueFrom and valueTo")
        interval = entry.get("rangeInterval") or "closed"
        if interval not in RANGE_INTERVALS:
            raise PoolDeclarationError(f"{where}: unknown rangeInterval '{interval}'")
        open_low, open_high = RANGE_INTERVALS[interval]
        numbers = IntegerRange(low + open_low, high - open_high)
        if numbers.size <= 0:
            raise PoolDeclarationError(f"{where}: the range {low}..{high} ({interval}) is empty")
        return numbers
    if "value" in entry:
        return OneValue(entry["value"])
    raise PoolDeclarationError(f"{where}: a value entry has neither value nor range")


def _check_disjoint(segments: Sequence[Segment], where: str) -> None:
    """No value may be reachable twice: ranges, prefixes and single values must not overlap."""
    spans: list[tuple[str, int, int]] = []
    for segment in segments:
        if isinstance(segment, IntegerRange):
            spans.append(("integer", segment.low, segment.high))
        elif isinstance(segment, Ipv4Hosts):
            first = int(segment.prefix.network_address)
            spans.append(("ipv4", first, first + segment.prefix.num_addresses - 1))
    spans.sort()
    for before, after in itertools.pairwise(spans):
        if before[0] == after[0] and after[1] <= before[2]:
            raise PoolDeclarationError(f"{where}: ranges or prefixes overlap")
    singles = [segment for segment in segments if isinstance(segment, OneValue)]
    for position, single in enumerate(singles):
        if any(single.value == other.value for other in singles[:position]) or any(
            segment.index_of(single.value) is not None
            for segment in segments
            if not isinstance(segment, OneValue)
        ):
            raise PoolDeclarationError(f"{where}: value {single.value!r} is listed twice")


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value):
        return int(value)
    return None
