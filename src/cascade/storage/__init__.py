"""Storage: SQLAlchemy Core tables, the group-commit writer, and the document repository."""
