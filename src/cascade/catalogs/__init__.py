"""Catalog files: TMF620/633/634 documents loaded into the repositories (and the demo's)."""

from cascade.catalogs.files import CatalogLoader, demo_catalog, read_catalog_file

__all__ = ["CatalogLoader", "demo_catalog", "read_catalog_file"]
