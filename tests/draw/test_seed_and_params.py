"""params.json, revealed values, the key and the seed (spec §2, §3)."""

import json

import pytest

from shuangsuiji.draw import (
    ParamsError,
    RatioError,
    SecretMismatchError,
    SourceMissingError,
    SourceValueError,
    StratumMissingError,
    UnknownHashError,
    make_secret,
    run_draw,
    secret_commitment,
)
from shuangsuiji.draw.params import parse_params
from shuangsuiji.draw.seed import canonical_numbers, make_key, make_seed

from .helpers import EXAMPLE, REVEALS, SECRET, copy_example, make_draw, object_id


def test_it_puts_lottery_numbers_in_rfc3797_form():
    assert canonical_numbers("30,3,11,15,22,27", name="lottery") == "3.11.15.22.27.30."
    assert canonical_numbers(" 030, 3 ,11 ", name="lottery") == "3.11.30."
    assert canonical_numbers("3.11.15.22.27.30.", name="lottery") == "3.11.15.22.27.30."


def test_it_refuses_lottery_numbers_that_are_not_integers():
    with pytest.raises(SourceValueError) as e:
        canonical_numbers("3,x", name="lottery")
    assert "lottery" in e.value.message


def test_it_derives_the_example_key_and_seed():
    key = make_key([SECRET, "3.11.15.22.27.30.", "314159265358"])
    assert key == f"{SECRET}/3.11.15.22.27.30./314159265358/"
    commitment = "e26eb984b211203fc4b0c0876096e1333b5b9d906521d06e07f9ea8c0d54fb9b"
    assert make_seed("sha256", commitment, key).startswith("1af620f3")


def test_it_makes_a_fresh_64_hex_digit_secret_each_time():
    a, b = make_secret(), make_secret()
    assert a != b and len(a) == 64 and int(a, 16) >= 0
    assert secret_commitment(a) != secret_commitment(a, "sm3")


def test_it_refuses_a_secret_that_does_not_match_its_commitment():
    with pytest.raises(SecretMismatchError) as e:
        run_draw(EXAMPLE, REVEALS | {"server": "0" * 64})
    assert "server" in e.value.message and "承诺" in e.value.message


def test_it_refuses_a_secret_that_is_too_short():
    with pytest.raises(SourceValueError):
        run_draw(EXAMPLE, REVEALS | {"server": "abc"})


def test_it_names_a_source_with_no_revealed_value():
    reveals = dict(REVEALS)
    del reveals["witness"]
    with pytest.raises(SourceMissingError) as e:
        run_draw(EXAMPLE, reveals)
    assert "witness" in e.value.message and "--reveal witness=" in e.value.message


def test_it_refuses_a_revealed_value_for_an_unannounced_source():
    with pytest.raises(SourceValueError) as e:
        run_draw(EXAMPLE, REVEALS | {"dice": "1"})
    assert "dice" in e.value.message


def test_it_refuses_witness_digits_with_letters():
    with pytest.raises(SourceValueError):
        run_draw(EXAMPLE, REVEALS | {"witness": "31a"})


@pytest.mark.parametrize("ratio", ["0", "0.0", "1.5", "0.1234567", ".5", "5%", "1e-2", 0.05, "-0.1", "2"])
def test_it_refuses_a_ratio_that_is_not_a_decimal_in_0_1(tmp_path, ratio):
    with pytest.raises(RatioError) as e:
        make_draw(tmp_path, candidates=[("A", object_id(1))], strata={"A": {"ratio": ratio, "reserve": 0}})
    assert "A" in e.value.message and "0.05" in e.value.message
    assert not (tmp_path / "params.json").exists()


@pytest.mark.parametrize("ratio", ["1", "1.0", "0.000001", "0.5", "0.333333"])
def test_it_accepts_decimal_ratios_in_0_1(tmp_path, ratio):
    make_draw(tmp_path, candidates=[("A", object_id(1))], strata={"A": {"ratio": ratio, "reserve": 0}})


def test_it_names_a_stratum_missing_from_params(tmp_path):
    with pytest.raises(StratumMissingError) as e:
        make_draw(
            tmp_path,
            candidates=[("A", object_id(1)), ("B", object_id(2))],
            strata={"A": {"count": 1, "reserve": 0}},
        )
    assert "B" in e.value.message


def test_it_refuses_a_stratum_missing_from_params_when_drawing(tmp_path):
    folder = copy_example(tmp_path)
    params = json.loads((folder / "params.json").read_text("utf-8"))
    del params["strata"]["D"]
    (folder / "params.json").write_text(json.dumps(params, ensure_ascii=False), "utf-8")
    with pytest.raises(StratumMissingError) as e:
        run_draw(folder, REVEALS)
    assert "D" in e.value.message


def test_it_refuses_an_unknown_hash(tmp_path):
    raw = (EXAMPLE / "params.json").read_bytes().replace(b'"sha256"', b'"md5"')
    with pytest.raises(UnknownHashError):
        parse_params(raw)


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (b'"reserve": 2', b'"reserve": -1', "reserve"),
        (b'"reserve": 2', b'"reserve": 2, "count": 1', "ratio"),
        (b'"SCJG": 2', b'"SCJG": 0', "SCJG"),
        (b'"spec": "DRAW-v1"', b'"spec": "DRAW-v2"', "spec"),
        (b'"draw_id"', b'"draw_id": 1, "draw_id"', "draw_id"),
        (b'"kind": "digits"', b'"kind": "dice"', "sources"),
        (b'"name": "lottery"', b'"name": "server"', "server"),
    ],
)
def test_it_refuses_params_that_break_the_spec(old, new, words):
    raw = (EXAMPLE / "params.json").read_bytes()
    assert old in raw
    with pytest.raises(ParamsError) as e:
        parse_params(raw.replace(old, new, 1))
    assert words in e.value.message
    assert e.value.message.startswith("params.json")


def test_it_refuses_params_that_are_not_json():
    with pytest.raises(ParamsError) as e:
        parse_params(b"{")
    assert "JSON" in e.value.message
