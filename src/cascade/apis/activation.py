"""TMF640 service and TMF702 resource activation and configuration."""

from cascade.tmf.declarations import ApiSpec, ResourceSpec


def _monitor() -> ResourceSpec:
    return ResourceSpec(name="monitor", entity="Monitor", state="state", terms=("sourceHref",))


TMF640 = ApiSpec(
    code="tmf640",
    title="TMF640 Service Activation and Configuration",
    spec_file="TMF640-ServiceActivationConfiguration-v4.0.0.swagger.json",
    resources=(
        ResourceSpec(
            name="service",
            entity="Service",
            state="state",
            date="startDate",
            key="name",
            terms=("relatedParty.id", "serviceSpecification.id"),
        ),
        _monitor(),
    ),
)

TMF702 = ApiSpec(
    code="tmf702",
    title="TMF702 Resource Activation and Configuration",
    spec_file="TMF702-ResourceActivationConfiguration-v4.0.0.swagger.json",
    resources=(
        ResourceSpec(
            name="resource",
            entity="Resource",
            state="resourceStatus",
            date="startOperatingDate",
            key="name",
            terms=("relatedParty.id", "resourceSpecification.id"),
        ),
        _monitor(),
    ),
)
