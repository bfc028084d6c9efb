"""The notebooks' exercise checker."""

import numpy as np

from cnnlib.selfcheck import check, is_correct


def test_is_correct_compares_by_value():
    assert is_correct((1, 10, 10, 11), (1, 10, 10, 11))
    assert is_correct([1, 10, 10, 11], (1, 10, 10, 11))
    assert not is_correct((1, 10, 11, 10), (1, 10, 10, 11))
    assert not is_correct((1, 10, 10), (1, 10, 10, 11))
    assert is_correct(0.1 + 0.2, 0.3) and not is_correct(0.31, 0.3)
    assert is_correct(np.array([[2, 3], [4, 2]]), [[2, 3], [4, 2]])
    assert not is_correct(np.array([[2, 3]]), [[2, 3], [4, 2]])
    assert not is_correct("abc", 1.5) and not is_correct(None, None)
    assert is_correct(780, 780) and not is_correct(781, 780)


def test_check_prints_feedback(capsys):
    check(None, 3)
    check(3, 3)
    check(4, 3, hint="세어 보세요")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("아직 답이 없습니다")
    assert out[1] == "✓ 정답입니다: 3"
    assert out[2] == "✗ 아직 아닙니다: my_answer = 4. 다시 생각해 보세요. 힌트: 세어 보세요"
    assert " 는" not in out[2]   # no particle glued to a value with a space (issue 27)
