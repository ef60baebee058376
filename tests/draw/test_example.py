"""The worked example of spec §9 is reproduced exactly."""

import json

import pytest

from shuangsuiji.draw import certificate_bytes, commitment_of, run_draw, verify

from .helpers import EXAMPLE, SHARED_EXAMPLE, example_reveals


def test_it_reproduces_the_example_certificate_exactly():
    certificate = run_draw(EXAMPLE, example_reveals())
    expected = json.loads((EXAMPLE / "result.json").read_text("utf-8"))
    assert certificate == expected
    assert certificate["commitment"] == "e26eb984b211203fc4b0c0876096e1333b5b9d906521d06e07f9ea8c0d54fb9b"
    assert certificate["seed"] == "1af620f3967944b0093d1b0663047a593a02a9b943ae2090c68bdb93c74e4136"


def test_it_writes_the_example_certificate_byte_for_byte():
    certificate = run_draw(EXAMPLE, example_reveals())
    assert certificate_bytes(certificate) == (EXAMPLE / "result.json").read_bytes()


def test_it_computes_the_example_commitment():
    assert commitment_of(EXAMPLE) == "e26eb984b211203fc4b0c0876096e1333b5b9d906521d06e07f9ea8c0d54fb9b"


def test_it_verifies_the_example():
    report = verify(EXAMPLE)
    assert report.ok, report.message


@pytest.mark.skipif(not SHARED_EXAMPLE.is_dir(), reason="shared/ is not beside the clone")
def test_the_copied_example_is_the_shared_one():
    for f in SHARED_EXAMPLE.iterdir():
        assert (EXAMPLE / f.name).read_bytes() == f.read_bytes(), f.name
