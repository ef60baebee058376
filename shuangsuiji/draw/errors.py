"""The engine's own error types.

Every message is written for the person who has to fix the input (in Simplified Chinese, the language of
the people running a draw), and names the file, line and value involved, so nobody has to read a traceback.
Callers catch `DrawError`; the subclasses exist so tests and the Django side can tell the cases apart.
"""

from __future__ import annotations


class DrawError(Exception):
    """Base class of every error the DRAW-v1 engine raises on bad input."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def __str__(self) -> str:
        return self.message


def _where(file: str, line: int | None) -> str:
    return f"{file} 第 {line} 行" if line is not None else file


class FileFormatError(DrawError):
    """A DRAW-v1 text file breaks the conventions of spec §0."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        super().__init__(f"{_where(file, line)}：{problem}", file=file, line=line)


class InvalidIdError(FileFormatError):
    """An ID or code contains a forbidden character or has the wrong length."""


class MalformedLineError(FileFormatError):
    """A line does not have exactly two comma-separated fields, or is not valid text."""


class DuplicateIdError(FileFormatError):
    """The same line, object or inspector appears twice."""


class UnsortedFileError(FileFormatError):
    """Lines are not in ascending bytewise order."""


class LineEndingError(FileFormatError):
    """A CR (Windows line end) or a missing LF after the last line."""


class ByteOrderMarkError(FileFormatError):
    """The file starts with a UTF-8 BOM, which changes its hash."""


class BlankLineError(FileFormatError):
    """An empty line: it would change the hash without changing the content."""


class FileMissingError(DrawError):
    """One of the five files of a draw is not in the folder."""


class FileHashMismatchError(DrawError):
    """A file's hash differs from the one committed in params.json."""

    def __init__(self, file: str, expected: str, actual: str) -> None:
        super().__init__(
            f"{file} 的哈希值与 params.json 中承诺的不一致：承诺 {expected}，实际 {actual}。"
            "文件在承诺之后被改动过，或者不是同一次抽取的文件。",
            file=file,
        )
        self.expected = expected
        self.actual = actual


class ParamsError(DrawError):
    """params.json (or the parameters given to the writer) is not valid DRAW-v1."""


class RatioError(ParamsError):
    """A stratum's ratio is not a decimal string in (0, 1] with at most 6 decimals."""


class UnknownHashError(ParamsError):
    """A hash other than sha256 or sm3."""


class StratumMissingError(DrawError):
    """candidates.csv uses a stratum that params.json does not define."""


class SourceMissingError(DrawError):
    """No value was revealed for a source announced in params.json."""


class SourceValueError(DrawError):
    """A revealed value is not in the form its kind requires, or names no announced source."""


class SecretMismatchError(DrawError):
    """The revealed secret does not hash to the commitment published before the draw."""


class TeamImpossibleError(DrawError):
    """No inspector of a department may join an object's team (all recused or already on it)."""

    def __init__(self, object_id: str, department: str, slot: int) -> None:
        super().__init__(
            f"无法为检查对象 {object_id} 组成检查组：部门 {department} 的第 {slot} 个名额没有可选的执法人员"
            "（该部门的人员都已在组内或需要回避）。请为该部门增加执法人员、减少名额或核对回避关系后重新冻结名单。"
        )
        self.object_id = object_id
        self.department = department
        self.slot = slot


class ReservesExhaustedError(DrawError):
    """A selected object must be replaced but its stratum has no unused reserve left."""


class CertificateFormatError(DrawError):
    """result.json is not a readable DRAW-v1 certificate."""
