"""The walks' reader (tests/browser/walks.py): which Latin words on a page count as English a person must not meet."""

from tests.browser.walks import english_words


def test_the_whitelist_lets_product_and_file_names_through_and_nothing_else():
    assert english_words("请下载 candidates-public.csv，用 Excel 或 WPS 打开；SHA-256 与 DRAW-v1") == []
    assert (
        english_words("指纹 9BD1 D434 93F0，核验码 3Z5TT-NHFME，事项 SCJG-001，见 http://x.cn/portal/verify/")
        == []
    )
    assert english_words("来源 lottery：RAISED，tags=['食品经营']，检查组 SCJG × 2") == [
        "lottery",
        "RAISED",
        "tags",
        "SCJG",
    ]
