"""Background tasks: the loop every one of them runs on, and its leased-rows HTTP variant."""

from cascade.background.loop import BackgroundLoop

__all__ = ["BackgroundLoop"]
