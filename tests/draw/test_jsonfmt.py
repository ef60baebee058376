"""The certificate writer's JSON is byte for byte what json.dumps(indent=1, ensure_ascii=False) writes."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from shuangsuiji.draw.jsonfmt import dumps_indent1

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(), st.floats(allow_nan=True, allow_infinity=True)
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=6), children, max_size=4),
        st.lists(st.lists(st.text(max_size=8), min_size=1, max_size=3), max_size=4),  # the fast path's shape
    ),
    max_leaves=30,
)


@settings(max_examples=400)
@given(values)
def test_every_value_is_written_exactly_as_json_dumps_writes_it(value):
    assert dumps_indent1(value) == json.dumps(value, indent=1, ensure_ascii=False)


def test_non_string_keys_and_tuples_fall_back_to_json_dumps():
    for value in ({1: "a"}, {"t": ("x", "y")}, [["a", 1]], {"k": [[]]}, '控制字符\x01"\\'):
        assert dumps_indent1(value) == json.dumps(value, indent=1, ensure_ascii=False)
