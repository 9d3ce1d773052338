from importlib.metadata import version

from scramp.core import (
    ScramClient,
    ScramMechanism,
    make_channel_binding,
)
from scramp.utils import ScramException

__all__ = ["ScramClient", "ScramException", "ScramMechanism", "make_channel_binding"]

__version__ = version("scramp")
