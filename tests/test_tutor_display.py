"""What cnnlib.tutor shows: clear messages for broken learner code, deterministic output (nbval
compares text/plain and text/html), and the whole-network gradient check."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from cnnlib.tutor import EXERCISES, MISTAKES, check, gradient_check, hints, solution
from cnnlib.tutor import solutions as S


def _expected_shape(x, w, stride, pad):
    return (x.shape[0] + 2 * pad - w.shape[0]) // stride + 1, (x.shape[1] + 2 * pad - w.shape[1]) // stride + 1


def my_bad(x, w, stride=1, pad=0):
    out = np.zeros((2, 2))
    out += np.ones((3,))
    return out


def test_exception_is_shown_with_the_learners_line_not_a_traceback():
    result = check("conv_single", my_bad)
    assert result.status == "fail" and result.mistake is None
    assert "함수가 예외를 일으켰습니다: ValueError: operands could not be broadcast together" in result.text
    assert "my_bad 함수의 3번째 줄: out += np.ones((3,))" in result.text
    html = result._repr_html_()
    assert "my_bad 함수의 3번째 줄" in html and "out += np.ones((3,))" in html
    for leak in ("Traceback", "File \"", "/tmp/", "/work/", "site-packages", " at 0x"):
        assert leak not in result.text and leak not in html


def test_exception_in_a_method_names_the_method():
    class MyConvolution(S.MyConvolution):
        def forward(self, x):
            raise KeyError("W1")
    result = check("conv_forward", MyConvolution)
    assert "KeyError: 'W1'" in result.text and "forward 메서드의 2번째 줄: raise KeyError(\"W1\")" in result.text


def test_wrong_shape_is_explained_in_words():
    def one_too_big(x, w, stride=1, pad=0):
        OH, OW = _expected_shape(x, w, stride, pad)
        return np.zeros((OH + 1, OW + 1))
    result = check("conv_single", one_too_big)
    found = re.search(r"출력 형상이 \((\d+), (\d+)\)여야 하는데 \((\d+), (\d+)\)입니다\.", result.text)
    assert found and int(found[3]) == int(found[1]) + 1 and int(found[4]) == int(found[2]) + 1


def test_wrong_dtype_is_explained():
    def integer_output(x, w, stride=1, pad=0):
        return S.my_conv_single(x, w, stride, pad).astype(np.int64)
    result = check("conv_single", integer_output)
    assert "출력 자료형(dtype)이 실수(예: float64)여야 하는데 int64입니다. 정수 배열에 넣은 값은 소수점 아래가 잘립니다." \
        in result.text


@pytest.mark.parametrize("value,kind", [([[1.0]], "list"), ("abc", "str"), (3.5, "float")])
def test_not_an_array_is_explained(value, kind):
    result = check("conv_single", lambda x, w, stride=1, pad=0: value)
    assert f"출력 값이 NumPy 배열이 아니라 {kind}입니다" in result.text


@pytest.mark.parametrize("shape", [(1, 0, 4, 4), (0,), (), (2,), (1, 1, 1, 1, 1), (1, 1, 0, 0)])
def test_an_output_of_any_shape_gets_a_sentence_not_a_tutor_error(shape):
    result = check("col2im", lambda col, input_shape, filter_h, filter_w, stride=1, pad=0: np.zeros(shape))
    assert result.status == "fail" and "검사기에 문제" not in result.text
    assert "출력 형상이" in result.text or "NumPy 배열이 아니라" in result.text


def test_none_after_the_first_case_asks_about_return():
    def sometimes_none(x, w, stride=1, pad=0):
        return S.my_conv_single(x, w, stride, pad) if pad == 0 else None
    result = check("conv_single", sometimes_none)
    assert result.status == "fail" and "출력 값이 None입니다. 마지막에 return을 빠뜨리지 않았는지 보세요." in result.text


def test_backward_without_dW_says_which_attribute():
    class NoDW(S.MyConvolutionBackward):
        def backward(self, dout):
            dx = super().backward(dout)
            self.dW = None
            return dx
    assert "dW 값이 None입니다. backward에서 self.dW를 구했는지 보세요." in check("conv_backward", NoDW).text


def test_passing_a_call_instead_of_the_function_is_explained():
    result = check("conv_single", S.my_conv_single(np.ones((3, 3)), np.ones((2, 2))))
    assert result.status == "fail" and "괄호 없이" in result.text


def test_unknown_exercise_lists_the_names():
    with pytest.raises(ValueError, match="conv_single, conv, pool"):
        check("convolution", S.my_conv_single)


def test_failure_shows_grids_with_the_differing_cells_marked():
    stride_ignored = next(m.impl for m in MISTAKES["conv_single"] if m.key == "stride_ignored")
    html = check("conv_single", stride_ignored)._repr_html_()
    for role in ("input", "expected", "got"):
        assert f"cnnlib-grid-tutor-{role}" in html
    got = html[html.index("cnnlib-grid-tutor-got"):]
    assert "is-current" in got  # the wrong cells are marked ...
    assert "line-through" not in html and "<s>" not in html  # ... and their numbers stay legible
    assert "직접 실행해 보기" in html and "conv_single_stride_ignored(x, w, 2, 0)  # stride=2, pad=0" in html


def test_print_inside_the_learners_code_is_shown_with_the_result(capsys):
    def chatty(x, w, stride=1, pad=0):
        print("shape", x.shape)
        return np.zeros((1, 1))
    result = check("conv_single", chatty)
    assert capsys.readouterr().out == ""  # not 40 cases' worth of output in the cell
    assert "이 경우에서 print한 내용:\n    shape (2, 2)" in result.text  # the shown case's, in text/plain ...
    assert "이 경우에서 print한 내용" in result._repr_html_() and "shape (2, 2)" in result._repr_html_()  # ... and HTML


def test_print_is_shown_when_the_check_passes_too():
    def chatty(x, w, stride=1, pad=0):
        print("OH, OW =", S.my_conv_single(x, w, stride, pad).shape)
        return S.my_conv_single(x, w, stride, pad)
    result = check("conv_single", chatty)
    assert result.status == "pass" and "1번째 경우에서 print한 내용:\n    OH, OW = (2, 2)" in result.text


def test_a_printing_runaway_keeps_only_the_start(monkeypatch):
    monkeypatch.setattr("cnnlib.tutor.budget.SECONDS", 0.3)
    def chatty(x, w, stride=1, pad=0):
        while True:
            print("still here")
    result = check("conv_single", chatty)
    assert result.status == "fail" and "검사 시간 0.3초" in result.text
    # the budget runs out on the loop's line or on the print (either is the learner's loop)
    assert ('멈춘 곳: chatty 함수의 3번째 줄: print("still here")' in result.text
            or "멈춘 곳: chatty 함수의 2번째 줄: while True:" in result.text), result.text
    assert result.text.count("\n    still here") == 20 and "줄 더)" in result.text


def _fingerprint():
    """Hash of the text and HTML of a pass, a todo, every kind of failure, hints and a solution."""
    from cnnlib.tutor import starters as T
    shown = [check("conv_single", S.my_conv_single), check("conv", T.my_conv), check("conv_single", my_bad),
             hints("pool"), solution("convnet"), gradient_check(S.MyConvNet)]
    shown += [check(m.exercise, m.impl) for ms in MISTAKES.values() for m in ms]
    digest = hashlib.sha256()
    for s in shown:
        digest.update(repr(s).encode() + s._repr_html_().encode())
    return digest.hexdigest()


def test_output_is_identical_across_runs_and_processes():
    first = _fingerprint()
    assert _fingerprint() == first
    code = ("import sys; sys.path.insert(0, 'tests'); import test_tutor_display as t; print(t._fingerprint())")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": "12345"}, cwd=str(_root()))
    assert other.stdout.strip() == first


def _root():
    from pathlib import Path
    return Path(__file__).resolve().parent.parent


# ---- the whole-network gradient check --------------------------------------------------------

def test_gradient_check_of_the_model_solution_passes():
    result = gradient_check(S.MyConvNet)
    assert result.status == "pass", result.text
    assert result.text.count("1e-8 미만 ✓") == 6 and "✓ 모든 매개변수의 기울기가 수치 미분과 같습니다" in result.text


def test_gradient_check_shows_the_batch_size_mistake():
    wrong = next(m.impl for m in MISTAKES["convnet"] if m.key == "backward_not_batch_mean")
    result = gradient_check(wrong)
    assert result.status == "fail"
    assert result.text.count("6.7e-01 ✗") == 6  # N = 3: the gradient is 3 times too large, 1 - 1/3


def test_gradient_check_of_the_starter_is_not_yet():
    from cnnlib.tutor import starters as T
    assert gradient_check(T.MyConvNet).status == "todo"


def test_every_exercise_output_names_the_exercise():
    for name, ex in EXERCISES.items():
        assert check(name, lambda *a, **k: 1 / 0).text.startswith(f"✗ {ex.title}")
