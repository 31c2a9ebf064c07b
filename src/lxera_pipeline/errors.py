"""Errors meant for the operator: the message alone names what is wrong and how to fix it.

The command line prints such an error as one line (``error: <message>``) and exits with its
``exit_code``: 2 for usage and configuration, 1 for failures found at run time.
"""

from __future__ import annotations

EXIT_FAILURE = 1
EXIT_USAGE = 2


class OperatorError(Exception):
    """A failure the operator fixes (a setting, a port, the server); no traceback needed."""

    exit_code = EXIT_FAILURE


class ConfigurationError(OperatorError):
    """A setting or the installation is wrong; found before anything ran."""

    exit_code = EXIT_USAGE
