"""SM4-GCM sealing of personal numbers and their keyed index (pure core, no Django)."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shuangsuiji.codes.errors import PersonalDataError
from shuangsuiji.codes.sealing import Sealer, SealKey

KEY = SealKey.from_secret("a test secret of thirty-two bytes")
OTHER = SealKey.from_secret("another secret, also long enough")
ID = "11010519491231002X"
COLUMN = "directory.inspector.id_number"


def test_a_sealed_number_opens_to_itself_and_does_not_contain_it():
    box = Sealer(KEY)
    token = box.seal(ID, COLUMN)
    assert token.startswith(f"sm4gcm${KEY.kid}$") and ID not in token
    assert box.open(token, COLUMN) == ID


def test_sealing_twice_gives_two_different_ciphertexts():
    box = Sealer(KEY)
    assert box.seal(ID, COLUMN) != box.seal(ID, COLUMN)


def test_an_empty_value_stays_empty():
    box = Sealer(KEY)
    assert box.seal("", COLUMN) == "" and box.open("", COLUMN) == "" and box.index("", COLUMN) == ""


def test_a_ciphertext_moved_to_another_column_does_not_open():
    box = Sealer(KEY)
    with pytest.raises(PersonalDataError, match="校验失败"):
        box.open(box.seal(ID, COLUMN), "directory.inspector.phone")


@pytest.mark.parametrize("position", [0, 11, 12, 20, -17, -1])  # nonce, nonce end, ciphertext, tag
def test_any_changed_byte_is_detected(position):
    # Bytes, not base64 characters: the last character of unpadded base64 also carries padding bits that decode to
    # nothing, so editing a character is not always a change at all.
    box = Sealer(KEY)
    head, body = box.seal(ID, COLUMN).rsplit("$", 1)
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[position] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(PersonalDataError):
        box.open(f"{head}${tampered}", COLUMN)


def test_plaintext_in_the_column_is_refused_not_shown():
    with pytest.raises(PersonalDataError, match="不是 SM4 密文"):
        Sealer(KEY).open(ID, COLUMN)


def test_an_old_key_still_opens_what_it_sealed_after_rotation():
    token = Sealer(OTHER).seal(ID, COLUMN)
    rotated = Sealer(KEY, old=[OTHER])
    assert rotated.open(token, COLUMN) == ID and not rotated.is_current(token)
    assert rotated.is_current(rotated.seal(ID, COLUMN))
    with pytest.raises(PersonalDataError, match="不在当前配置中"):
        Sealer(KEY).open(token, COLUMN)


def test_the_index_ignores_case_spaces_and_hyphens_but_not_the_column_or_the_key():
    box = Sealer(KEY)
    assert (
        box.index(ID, COLUMN) == box.index(ID.lower(), COLUMN) == box.index(" 110105-19491231002x ", COLUMN)
    )
    assert box.index(ID, COLUMN) != box.index(ID, "directory.inspector.phone")
    assert box.index(ID, COLUMN) != Sealer(OTHER).index(ID, COLUMN)
    assert len(box.index(ID, COLUMN)) == 64


def test_a_short_secret_is_refused_with_a_reason():
    with pytest.raises(PersonalDataError, match="至少需要 16 个字节"):
        SealKey.from_secret("short")


@given(st.text(max_size=60))
def test_every_text_survives_a_round_trip(text):
    box = Sealer(KEY)
    assert box.open(box.seal(text, COLUMN), COLUMN) == text
