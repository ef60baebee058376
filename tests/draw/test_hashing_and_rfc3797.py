"""The two hashes, and RFC 3797's own selection (spec §10)."""

import hashlib

from shuangsuiji.draw import rfc3797_key, rfc3797_select
from shuangsuiji.draw.hashing import (
    digests_with_prefix,
    hex_hash,
    key_list,
    keys_at_or_below,
    keys_with_prefix,
    smallest_key,
)
from shuangsuiji.draw.rfc3797 import rfc3797_digest

NAMES = (
    "John Mary Bashful Dopey Sleepy Grouchy Doc Sneazy Handsome Cassandra Pollyanna Pendragon Pandora Faith Hope "
    "Charity Lee Longsuffering Chastity Smith Pride Sloth Envy Anger Kasczynski"
).split()
RFC_ORDER = (
    "Lee Doc Mary Charity Kasczynski Envy Sneazy Anger Chastity Pandora Sloth Sleepy Longsuffering Handsome John Dopey"
).split()


def test_it_computes_sm3_as_gb_t_32905_says():
    assert hex_hash("sm3", b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert hex_hash("sm3", b"abcd" * 16) == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


def test_it_computes_sha256_as_fips_180_4_says():
    assert hex_hash("sha256", b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_its_fast_paths_agree_with_the_plain_hash_for_both_hashes():
    ids = [f"ID{n}".encode() for n in range(50)]
    for name in ("sha256", "sm3"):
        plain = [bytes.fromhex(hex_hash(name, b"p," + i)) for i in ids]
        assert digests_with_prefix(name, b"p,", ids) == plain
        assert keys_with_prefix(name, b"p,", ids) == {i: d + i for i, d in zip(ids, plain, strict=True)}
        assert key_list(name, b"p,", ids) == [d + i for i, d in zip(ids, plain, strict=True)]
        assert smallest_key(name, b"p,", ids) == min(d + i for i, d in zip(ids, plain, strict=True))
        threshold = sorted(plain)[10]
        assert keys_at_or_below(name, b"p,", ids, threshold) == [
            d + i for i, d in zip(ids, plain, strict=True) if d <= threshold
        ]


def test_it_builds_the_rfc3797_example_key():
    assert rfc3797_key("9319/2,5,12,8,10/9,18,26,34,41,45") == "9319./2.5.8.10.12./9.18.26.34.41.45./"


def test_it_computes_the_rfc3797_example_first_digest():
    key = rfc3797_key(["9319", "2, 5, 12, 8, 10", "9, 18, 26, 34, 41, 45"])
    assert rfc3797_digest(key, 0).hex().upper() == "990DD0A5692A029A98B5E01AA28F3459"
    assert rfc3797_digest(key, 0) == hashlib.md5(b"\0\0" + key.encode() + b"\0\0").digest()


def test_it_reproduces_the_rfc3797_example_order():
    key = rfc3797_key("9319/2,5,12,8,10/9,18,26,34,41,45")
    assert rfc3797_select(NAMES, key, 16) == RFC_ORDER
    assert rfc3797_select(NAMES, key, 10) == RFC_ORDER[:10]
