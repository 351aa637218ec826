"""The repositories: each kind's documents, read and written inside a transaction."""

from cascade.repositories.registry import Repositories
from cascade.repositories.repository import Created, Loaded, Repository, Saved, WriteHook

__all__ = ["Created", "Loaded", "Repositories", "Repository", "Saved", "WriteHook"]
