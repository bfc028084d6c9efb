"""cnnlib.tables.Table: a table a notebook displays as HTML (Korean rows line up in a browser), whose plain
text is text_table's aligned text."""

import re

import pytest

from cnnlib.tables import Table, text_table


def test_table_plain_text_is_text_table():
    rows, headers = [["같은 위치의 R과 G", "0.87"], ["R 채널에서 가로로 1픽셀", "0.96"]], ["비교하는 두 값", "상관계수"]
    t = Table(rows, headers=headers)
    assert str(t) == repr(t) == text_table(rows, headers)


def test_table_html_has_one_cell_per_value_aligned_and_unbroken():
    t = Table([["합계", 1234], ["<b>", 5]], headers=["층", "매개변수"], align="<>")
    html = t._repr_html_()
    assert html.startswith('<table class="cnnlib-table"') and html.count("<tr>") == 3
    cells = re.findall(r"<t([hd]) style=\"text-align:(left|right);[^\"]*word-break:keep-all[^\"]*\">([^<]*)</t\1>", html)
    assert [(side, text) for _, side, text in cells] == [
        ("left", "층"), ("right", "매개변수"), ("left", "합계"), ("right", "1234"), ("left", "&lt;b&gt;"), ("right", "5")]


def test_table_without_headers_and_bad_align():
    assert "<thead>" not in Table([["a", 1]])._repr_html_()
    with pytest.raises(ValueError, match="one of '<' or '>' per column"):
        Table([["a", "b"]], align="<")
