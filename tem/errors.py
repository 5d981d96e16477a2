"""Errors the `tem` runtime shows people as one line with the fix, never a traceback."""


class TemError(Exception):
    """A problem a user can fix; the message names the problem and the fix."""

    exit_code = 1


class ConfigError(TemError):
    """A setting is missing or wrong (exit code 2, like any bad input)."""

    exit_code = 2


class PortInUse(TemError):
    """A configured port is taken by another process."""
