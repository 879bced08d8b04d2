"""The package version, in a module that imports nothing.

Modules inside the package read it here, never from the package ``__init__``.
"""

__version__ = "0.1.0"
