"""The package's exceptions, in a module of their own so that every other module can raise them."""

from __future__ import annotations


class DataIntegrityError(RuntimeError):
    """A data file is missing, extra, modified or unreadable, or the descriptor is broken."""


class ExportError(Exception):
    """An export (or another command) that cannot be done; the message is one line for the user."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def missing_library(distributions: str, what: str) -> ExportError:
    """The one-line error for an optional library that is not installed."""
    return ExportError(f"{what} needs {distributions}: pip install {distributions} (or, in a clone "
                       "of the repository, pip install '.[interop]')")


class PredictionError(ValueError):
    """Predictions that cannot be scored: the message is one line naming the table, row and field."""
