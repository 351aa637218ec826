"""Attributes Cascade keeps on an order's items for itself: stored, never shown to a client.

A kind's `ItemState.kept` names them (an order item's `cascadeBefore`, ADR 0032): what a
change overwrote, for a cancellation to put back. The served descriptions do not declare
them, so no answer, list, projection or event carries them (ADR 0033); a client's PATCH,
made on the document as shown, cannot give them, and what Cascade kept on an item survives
a PATCH that replaces the item (`carry_over`, items matched by `id`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cascade.tmf.declarations import Kind
from cascade.tmf.errors import bad_request


class KeptAttributes:
    """The kept attributes of one kind's item arrays: conceal, refuse, carry over."""

    def __init__(self, kind: Kind) -> None:
        self.arrays: tuple[tuple[str, frozenset[str]], ...] = tuple(
            (items.array, frozenset(items.kept)) for items in kind.item_states if items.kept
        )
        names = {name for _, kept in self.arrays for name in kept}
        self._markers = tuple(f'"{name}"' for name in sorted(names))
        self._byte_markers = tuple(marker.encode() for marker in self._markers)

    def __bool__(self) -> bool:
        return bool(self.arrays)

    def in_text(self, text: str | bytes) -> bool:
        """Whether a stored document's JSON text may carry one (a cheap look, no decoding)."""
        if isinstance(text, str):  # a list's stored texts: looked at without encoding each
            return any(marker in text for marker in self._markers)
        return any(marker in text for marker in self._byte_markers)

    def conceal(self, document: dict[str, Any]) -> dict[str, Any]:
        """The document (the caller's own: changed in place) without them."""
        for item, kept in self._items(document):
            for name in kept & item.keys():
                del item[name]
        return document

    def without(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """A shallow copy of the document without them (its item arrays copied, not the
        document's values)."""
        copy = dict(document)
        for array, kept in self.arrays:
            members = document.get(array)
            if isinstance(members, list):
                copy[array] = [
                    {k: v for k, v in item.items() if k not in kept}
                    if isinstance(item, dict)
                    else item
                    for item in members
                ]
        return copy

    def refuse_given(self, document: Mapping[str, Any]) -> None:
        """400 `unsupportedAttribute` when a client's document gives one (it never sees them,
        so any there is the client's)."""
        given = [
            f"item {item.get('id')}: {name} is not supported: Cascade keeps there, for itself,"
            " what a change overwrote"
            for item, kept in self._items(document)
            for name in sorted(kept & item.keys())
        ]
        if given:
            raise bad_request("; ".join(given), "unsupportedAttribute")

    def carry_over(self, stored: Mapping[str, Any], patched: dict[str, Any]) -> None:
        """Put on the patched document's items what Cascade kept on the stored items of the
        same `id` (a PATCH replacing an item array would lose it otherwise)."""
        for array, kept in self.arrays:
            old = {
                str(item["id"]): item
                for item in _members(stored, array)
                if item.get("id") is not None and kept & item.keys()
            }
            for item in _members(patched, array):
                found = old.get(str(item.get("id")))
                if found is not None:
                    item.update((name, found[name]) for name in kept & found.keys())

    def _items(self, document: Mapping[str, Any]) -> list[tuple[dict[str, Any], frozenset[str]]]:
        return [(item, kept) for array, kept in self.arrays for item in _members(document, array)]


def _members(document: Mapping[str, Any], array: str) -> list[dict[str, Any]]:
    members = document.get(array)
    if not isinstance(members, list):
        return []
    return [item for item in members if isinstance(item, dict)]
