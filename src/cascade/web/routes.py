"""Every Cascade extension route, as declared by its module (frontend/extensions.py)."""

from __future__ import annotations

from cascade.frontend.extensions import ExtensionRoute
from cascade.web.audit import AUDIT
from cascade.web.inbox import INBOX
from cascade.web.parked import PARKED, REDELIVER
from cascade.web.tree import TREE

# Served by every process.
EXTENSIONS: tuple[ExtensionRoute, ...] = (AUDIT, TREE, PARKED, REDELIVER)
# Served by a component (COM or SOM), where the next component's hub events arrive.
COMPONENT_EXTENSIONS: tuple[ExtensionRoute, ...] = (INBOX,)
