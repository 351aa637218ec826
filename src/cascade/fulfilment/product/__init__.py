"""COM: TMF622 product orders, planned against the catalogs and what is installed."""
