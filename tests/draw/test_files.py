"""The four text files: canonical writing, strict reading, and an actionable error for each fault."""

from pathlib import Path

import pytest

from shuangsuiji.draw import (
    BlankLineError,
    ByteOrderMarkError,
    DuplicateIdError,
    FileHashMismatchError,
    FileMissingError,
    InvalidIdError,
    LineEndingError,
    MalformedLineError,
    UnsortedFileError,
    commitment_of,
    run_draw,
)
from shuangsuiji.draw.files import read_candidates, read_table, write_table
from shuangsuiji.draw.hashing import hex_hash

from .helpers import REVEALS, copy_example, make_draw, object_id

STRATA = {"A": {"ratio": "0.5", "reserve": 1}, "B": {"count": 1, "reserve": 0}}


def write_candidates(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "candidates.csv"
    path.write_bytes(data)
    return path


def test_it_writes_sorted_lf_utf8_lines_whatever_the_input_order(tmp_path):
    digest = write_table(tmp_path, "candidates.csv", [("B", "Z1"), ("A", "Y2"), ("A", "X3")], "sha256")
    data = (tmp_path / "candidates.csv").read_bytes()
    assert data == b"A,X3\nA,Y2\nB,Z1\n"
    assert digest == hex_hash("sha256", data)


def test_it_writes_an_empty_file_as_zero_bytes(tmp_path):
    digest = write_table(tmp_path, "recusals.csv", [], "sha256")
    assert (tmp_path / "recusals.csv").read_bytes() == b""
    assert digest == hex_hash("sha256", b"")


def test_it_sorts_bytewise_not_by_locale(tmp_path):
    write_table(tmp_path, "candidates.csv", [("a", "1"), ("B", "2"), ("A-", "3"), ("A", "4")], "sha256")
    assert (tmp_path / "candidates.csv").read_bytes() == b"A,4\nA-,3\nB,2\na,1\n"


def test_it_refuses_an_id_with_a_forbidden_character_naming_it(tmp_path):
    with pytest.raises(InvalidIdError) as e:
        write_table(tmp_path, "candidates.csv", [("A", "91410481083016d276")], "sha256")
    assert "91410481083016d276" in e.value.message
    assert "对象编号" in e.value.message
    assert not (tmp_path / "candidates.csv").exists()


def test_it_refuses_a_comma_hidden_in_a_field(tmp_path):
    with pytest.raises(MalformedLineError):
        write_table(tmp_path, "recusals.csv", [("I1", "A,B")], "sha256")


def test_it_refuses_a_row_that_is_not_two_strings(tmp_path):
    with pytest.raises(InvalidIdError) as e:
        write_table(tmp_path, "candidates.csv", [("A", "1"), ("A", None)], "sha256")  # type: ignore[list-item]
    assert "第 2 条记录" in e.value.message


def test_it_refuses_an_id_longer_than_64(tmp_path):
    with pytest.raises(InvalidIdError):
        write_table(tmp_path, "candidates.csv", [("A", "1" * 65)], "sha256")


def test_it_refuses_a_duplicate_line_with_its_line_number(tmp_path):
    with pytest.raises(DuplicateIdError) as e:
        write_table(tmp_path, "candidates.csv", [("A", "1"), ("A", "2"), ("A", "2")], "sha256")
    assert e.value.line == 3
    assert "重复" in e.value.message


def test_it_refuses_an_object_in_two_strata(tmp_path):
    with pytest.raises(DuplicateIdError) as e:
        write_table(tmp_path, "candidates.csv", [("A", "1"), ("B", "1"), ("B", "2")], "sha256")
    assert "1" in e.value.message and "A、B" in e.value.message


def test_it_refuses_an_inspector_in_two_departments(tmp_path):
    with pytest.raises(DuplicateIdError) as e:
        write_table(tmp_path, "inspectors.csv", [("SCJG", "I1"), ("WJW", "I1")], "sha256")
    assert "I1" in e.value.message and "SCJG" in e.value.message and "WJW" in e.value.message


@pytest.mark.parametrize(
    ("data", "error", "line", "words"),
    [
        (b"A,2\nA,1\n", UnsortedFileError, 2, "升序"),
        (b"A,1\nB,1\nA,2\n", UnsortedFileError, 3, "升序"),
        (b"A,1\nA,1\n", DuplicateIdError, 2, "重复"),
        (b"A,1\r\nA,2\r\n", LineEndingError, 1, "CRLF"),
        (b"A,1\nA,2", LineEndingError, 2, "LF"),
        (b"\xef\xbb\xbfA,1\n", ByteOrderMarkError, 1, "BOM"),
        (b"A,1\n\nA,2\n", BlankLineError, 2, "空行"),
        (b"A,1\nA;2\n", MalformedLineError, 2, "逗号"),
        (b"A,1\nA,2,3\n", MalformedLineError, 2, "逗号"),
        (b"A,1\nA,x\n", InvalidIdError, 2, "'x'"),
        (b"A B,1\n", InvalidIdError, 1, "分层代码"),
        (b"A,1\nA,\n", InvalidIdError, 2, "对象编号"),
        (b"A,\xff\n", MalformedLineError, 1, "UTF-8"),
    ],
)
def test_it_names_the_line_of_a_malformed_candidates_file(tmp_path, data, error, line, words):
    with pytest.raises(error) as e:
        read_candidates(write_candidates(tmp_path, data), "sha256")
    assert e.value.line == line
    assert e.value.file == "candidates.csv"
    assert words in e.value.message
    assert f"第 {line} 行" in e.value.message


@pytest.mark.parametrize(
    ("data", "error"),
    [(b"I2,X\nI1,X\n", UnsortedFileError), (b"I1,X\r\n", LineEndingError), (b"I1,x\n", InvalidIdError)],
)
def test_it_checks_the_other_files_just_as_strictly(tmp_path, data, error):
    (tmp_path / "recusals.csv").write_bytes(data)
    with pytest.raises(error):
        read_table(tmp_path / "recusals.csv", "recusals.csv", "sha256")


def test_it_reads_a_large_file_across_block_boundaries(tmp_path):
    rows = [("A" if n % 3 else "B", object_id(n)) for n in range(200_000)]
    write_table(tmp_path, "candidates.csv", rows, "sha256")
    candidates = read_candidates(tmp_path / "candidates.csv", "sha256")
    assert candidates.counts == {"A": 133_333, "B": 66_667}
    ids = [i for _, run in candidates.runs for i in run]
    assert len(ids) == 200_000


def test_it_reports_an_unsorted_line_far_into_a_large_file(tmp_path):
    lines = [f"A,{object_id(n)}\n".encode() for n in range(100_000)]
    lines[70_000], lines[70_001] = lines[70_001], lines[70_000]
    with pytest.raises(UnsortedFileError) as e:
        read_candidates(write_candidates(tmp_path, b"".join(lines)), "sha256")
    assert e.value.line == 70_002


def test_it_detects_a_file_changed_after_the_commitment(tmp_path):
    folder = copy_example(tmp_path)
    path = folder / "excluded.csv"
    path.write_bytes(path.read_bytes().replace(b"CAP_REACHED", b"CAP_REACHEd"))
    with pytest.raises(FileHashMismatchError) as e:
        commitment_of(folder)
    assert e.value.file == "excluded.csv"
    assert "excluded.csv" in e.value.message and "承诺" in e.value.message


def test_it_names_a_missing_file(tmp_path):
    folder = copy_example(tmp_path)
    (folder / "recusals.csv").unlink()
    with pytest.raises(FileMissingError) as e:
        run_draw(folder, REVEALS)
    assert "recusals.csv" in e.value.message


def test_it_writes_files_that_its_own_reader_accepts(tmp_path):
    commitment = make_draw(
        tmp_path,
        candidates=[("B", object_id(2)), ("A", object_id(1)), ("A", object_id(3))],
        excluded=[(object_id(9), "DEREGISTERED")],
        inspectors=[("SCJG", "I1"), ("SCJG", "I2")],
        recusals=[("I1", object_id(1))],
        teams={"SCJG": 1},
        strata=STRATA,
    )
    assert commitment_of(tmp_path) == commitment
    assert (
        (tmp_path / "params.json")
        .read_bytes()
        .endswith(
            b'"announced": "lottery = \xe5\x8f\x8c\xe8\x89\xb2\xe7\x90\x83\xe7\xac\xac2026137\xe6\x9c\x9f\xe7\xba\xa2\xe7\x90\x83"\n}\n'
        )
    )
