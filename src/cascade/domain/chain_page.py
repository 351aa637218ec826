"""The section of docs/states.md on clients' deletes and state PATCHes that would break the
order chain (issue 15; the checks are in cascade/fulfilment/integrity/, ADR 0016)."""

from __future__ import annotations

CHAIN_SECTION = (
    "## Keeping the chain whole: deletes and state PATCHes",
    "",
    "No client request leaves live network state without an owner. Every TMF622, TMF641,",
    "TMF652, TMF637, TMF638, TMF639, TMF640 and TMF702 `DELETE` in the v4 swaggers lists",
    "`409 Conflict` among its answers; Cascade answers it, with a TMF `Error` whose `code` is",
    "below and whose `message` names the state and the way out, and changes nothing. The",
    "checks run in the request's transaction (`fulfilment/integrity/`, ADR 0016).",
    "",
    "| request | refused (409) when | code | the way out |",
    "| --- | --- | --- | --- |",
    "| DELETE an order (TMF622/641/652) | it has not ended (any state but `completed`,"
    " `failed`, `partial`, `rejected`, `cancelled`) | `orderNotEnded` | the cancel task"
    " (`POST /cancelProductOrder`, `/cancelServiceOrder`, `/cancelResourceOrder`) |",
    "| DELETE an ended order | the order that placed it (its `externalReference`) has not"
    " ended | `parentOrderNotEnded` | wait for the parent, or cancel it |",
    "| DELETE an ended order | a record an `add` item made (`product.id`, `service.id`,"
    " `resource.id`) is live | `madeRecordsLive` | cease it with an order of `delete` items;"
    " a cease finds a service's resources through the resource order that made them |",
    "| DELETE an ended order | child orders naming it in `externalReference` exist"
    " | `childOrdersExist` | delete the tree from the bottom up |",
    "| DELETE an ended service or resource order | another order of its layer names it (a"
    " cease names the resource order that made its resources) | `orderNamedByOrders` |"
    " delete that one first |",
    "| DELETE a TMF637/638/639 record | it is live | `recordLive` | an order with a"
    " `delete` item |",
    "| DELETE a record | another record names it (`realizingService`, `supportingService`,"
    " `supportingResource`, `productRelationship`) | `recordInUse` | delete from the top:"
    " product, services, resources |",
    "| DELETE a record | an order that has not ended names it | `recordInRunningOrder` |"
    " wait for the order |",
    "| DELETE a TMF639 resource | it still holds a value from a pool | `allocationHeld` |"
    " a resource order with a `delete` item releases it |",
    "| PATCH a live record | the PATCH changes `realizingService`, `supportingService` or"
    " `supportingResource` | `chainReferenceChanged` | a modify order |",
    "| PATCH a live record to an ended state | what it is built from is live, or its"
    " activation (TMF640/702, same id) is | `recordsBelowLive`, `activationLive` |"
    " an order with a `delete` item |",
    "| PATCH a live record to an ended state | a live record names it | `recordInUse` |"
    " end that one first |",
    "| DELETE a TMF640 service or TMF702 resource | it is being activated (`reserved`) or"
    " on the network | `activationLive` | PATCH `state` `inactive`/`terminated`, or"
    " `administrativeState` `locked` (the driver deactivates), then DELETE |",
    "| PATCH an order back to `inProgress` | the order that placed it (stored in this"
    " component) is `held` or `pending` | `parentOrderHeld` | release the parent |",
    "",
    "What is live comes from the specs' enumerations: a product whose `status`",
    "(ProductStatusType) is not `cancelled`, `terminated` or `aborted`; a service whose",
    "`state` (ServiceStateType) is `reserved` or `active` (`inactive` is what a failed or",
    "retired activation leaves, nothing configured); a resource whose `resourceStatus`",
    "(ResourceStatusType) is `reserved`, or `available`/`suspended` or in use (`usageState`",
    "`active`/`busy`) and not `locked` or `disable`d. Ended records nothing names stay",
    "deletable, and so do ended orders once nothing hangs from them: a whole chain, ceased,",
    "is deleted records first (top down) and orders last (bottom up).",
    "",
    "A record's references name records that exist, by id: a POST of a record, or a PATCH",
    "of one that is not live, whose `realizingService`, `supportingService` or",
    "`supportingResource` names a record that does not exist (or an entry without `id`) is",
    "a 400 `unknownReference`, and nothing changes.",
    "",
    "**Hold and release.** The machines let a client PATCH a running order `held` or",
    "`pending` and back to `inProgress` (the PATCH column above). The order's work is its",
    "tree: in the same transaction every child order that is `inProgress` takes the same",
    "state, with a note `held with <ParentType> <id>`, and so on down. Their controllers",
    "leave them, so no resource order, activation or inventory record is started underneath;",
    "one activation already sent may finish, and is taken up on release. A child still",
    "`acknowledged` cannot be held (`held` is reached from `inProgress` only), so its",
    "controller does not start it while its parent is held or pending. Releasing the order",
    "releases the children whose last hold was its (a child its own operator held stays",
    "held), notes `released with <ParentType> <id>`, and schedules every child that has not",
    "ended. A state PATCH to any other state (`cancelled`, `completed`...) is refused as",
    "before: a cancel goes through its task, which takes the children with it.",
    "",
    "**Across components** (docs/components.md, ADR 0022). When the next layer is another",
    "component, the child orders here are mirrors: the hold is carried there, not made here.",
    "The PATCH is accepted, and in its transaction each running mirrored child records the",
    "ask; the follower PATCHes the remote order to the same state (merge patch), retrying",
    "while that component is unreachable, and the remote component holds its own tree the",
    "same way, further down too. An order not started there yet is held once it runs. The",
    "release is carried to the children the hold went to; asks made in a row are sent one at",
    "a time, the last one winning. A refusal there (the order ended meanwhile, or its own",
    "operator had set another state) is a dated note on the parent order, naming the child",
    "and the answer. The mirror shows the remote state when it is read back. The remote",
    "component does not store the parent, so `parentOrderHeld` cannot guard the child there:",
    "its own operator can release it while the parent is held.",
)
