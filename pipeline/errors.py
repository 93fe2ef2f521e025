"""Typed errors. Library code raises these; only cli.py turns them into messages and exit codes."""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose. `hint` says what to do next."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  fix: {self.hint}" if self.hint else self.message


class InputError(PipelineError):
    """Bad input from the user: a claims file, a flag, a corpus file. Exit 2."""

    exit_code = 2


class ClaimsError(InputError):
    """A claims file is not valid. Carries the file and line for the message."""

    def __init__(self, path: str, line: int | None, message: str, hint: str = "") -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}", hint)
        self.path = path
        self.line = line
        self.problem = message


class CorpusError(InputError):
    """A corpus file for `factcheck index` or a corpus database is unusable."""


class SourceError(PipelineError):
    """A source (PubMed, Europe PMC, ...) failed or answered something unusable. Exit 3."""

    exit_code = 3

    def __init__(self, source: str, message: str, hint: str = "") -> None:
        super().__init__(f"{source}: {message}", hint)
        self.source = source


class OfflineMiss(SourceError):
    """--offline was asked for and the cache does not hold the response."""


class ParseError(SourceError):
    """A response or file could not be parsed (truncated XML, HTML instead of XML ...)."""


class ClaimsFileInvalid(InputError):
    """A claims file has one or more problems; each is a ClaimsError with its line."""

    def __init__(self, path: str, errors: list[ClaimsError]) -> None:
        count = f"{len(errors)} problem{'s' if len(errors) != 1 else ''}"
        lines = ["  " + str(e).replace("\n", "\n    ") for e in errors]
        super().__init__(f"{path}: {count}\n" + "\n".join(lines))
        self.path = path
        self.errors = errors


class RefusedUrl(SourceError):
    """A URL from a claims file or an article points where the pipeline never goes (not http(s),
    a loopback, private, link-local or metadata address, too many redirects). Nothing was sent.
    Bad input (exit 2); within a run it is that one page's failure."""

    exit_code = 2


class FileRefused(InputError):
    """A file given by the user cannot be read as one: missing, a folder, a device or FIFO, too large."""

    def __init__(self, path: str, problem: str, hint: str) -> None:
        super().__init__(f"{path}: {problem}", hint)
        self.path = path
        self.problem = problem
