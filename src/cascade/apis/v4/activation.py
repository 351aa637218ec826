"""TMF640 service and TMF702 resource activation and configuration (v4)."""

from cascade.apis import kinds
from cascade.apis.v4.mandatory import IDENTITY
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.tmf.spec import SchemaOverlay

MONITOR = {"Monitor": (*IDENTITY, "state")}

TMF640 = ApiSpec(
    code="tmf640",
    title="TMF640 Service Activation and Configuration",
    spec_file="TMF640-ServiceActivationConfiguration-v4.0.0.swagger.json",
    resources=(
        ResourceSpec("service", kinds.SERVICE_ACTIVATION),
        ResourceSpec("monitor", kinds.SERVICE_ACTIVATION_MONITOR),
    ),
    scope_prefix="serviceActivation",
    catalog=False,
    component="som",
    # serviceDate is set when the service is created; state is what Service_Create requires.
    overlay=SchemaOverlay(
        responses={"Service": (*IDENTITY, "state", "serviceDate"), **MONITOR},
    ),
)

TMF702 = ApiSpec(
    code="tmf702",
    title="TMF702 Resource Activation and Configuration",
    spec_file="TMF702-ResourceActivationConfiguration-v4.0.0.swagger.json",
    resources=(
        ResourceSpec("resource", kinds.RESOURCE_ACTIVATION),
        ResourceSpec("monitor", kinds.RESOURCE_ACTIVATION_MONITOR),
    ),
    scope_prefix="resourceActivation",
    catalog=False,
    component="rom",
    # The swagger requires the id and href of values to create (a related resource, a place
    # given by value) and an href on every specification reference, where TMF630 asks an id.
    overlay=SchemaOverlay(
        optional={
            "ResourceRefOrValue": ["href", "id"],
            "RelatedPlaceRefOrValue": ["href", "id"],
            "ResourceSpecificationRef": ["href"],
        },
        responses={"Resource": (*IDENTITY, "resourceStatus"), **MONITOR},
    ),
)
