"""Storage: SQLAlchemy Core tables, the group-commit writer, documents of one kind, leases."""
