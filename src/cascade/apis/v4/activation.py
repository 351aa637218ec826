"""TMF640 service and TMF702 resource activation and configuration (v4)."""

from cascade.apis import kinds
from cascade.tmf.declarations import ApiSpec, ResourceSpec

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
)
