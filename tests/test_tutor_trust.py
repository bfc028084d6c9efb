"""cnnlib.tutor's ✓ can be trusted (issue 24): no false pass, no frozen cell, no traceback, and
messages that point at the real mistake. One test (or a few) per item of the issue."""

from __future__ import annotations

import re
import threading
import time

import numpy as np
import pytest

from cnnlib import tutor
from cnnlib.convnet import SimpleConvNet
from cnnlib.layers import Convolution, Pooling, Relu, SoftmaxWithLoss
from cnnlib.tutor import EXERCISES, MISTAKES, check, gradient_check, solution_source
from cnnlib.tutor import checker
from cnnlib.tutor.mistakes import Mistake
from cnnlib.tutor import solutions as S
from cnnlib.tutor import starters as T


@pytest.fixture
def short_budget(monkeypatch):
    monkeypatch.setattr("cnnlib.tutor.budget.SECONDS", 0.3)


# ---- 1. a class must define what the exercise asks for ---------------------------------------

class MyConvolutionBackward(Convolution):
    pass


class Dedented(Convolution):
    """The learner's backward slipped out of the class (dedented)."""


def backward(self, dout):  # noqa: ARG001  (what was meant to be Dedented.backward)
    return S.MyConvolutionBackward.backward(self, dout)


class MyConvNetInherited(SimpleConvNet):
    pass


@pytest.mark.parametrize("name,cls,says", [
    ("conv_backward", MyConvolutionBackward, "MyConvolutionBackward 클래스에 backward 메서드가 없어 cnnlib의 "
                                             "Convolution.backward가 대신 쓰였습니다."),
    ("conv_backward", Dedented, "들여 쓰여 있는지 보세요"),
    ("conv_backward", Convolution, "cnnlib의 Convolution 클래스를 그대로 넘겼습니다."),
    ("conv_forward", Convolution, "cnnlib의 Convolution 클래스를 그대로 넘겼습니다."),
    ("pool_backward", Pooling, "cnnlib의 Pooling 클래스를 그대로 넘겼습니다."),
    ("convnet", MyConvNetInherited, "cnnlib의 SimpleConvNet.__init__가 대신 쓰였습니다."),
])
def test_a_class_that_inherits_cnnlibs_method_fails_with_a_sentence(name, cls, says):
    result = check(name, cls)
    assert result.status == "fail" and says in result.text, result.text


def test_a_class_without_the_method_at_all_is_told_so():
    class MyConvolution:
        def __init__(self, W, b, stride=1, pad=0):
            self.W = W
    assert "MyConvolution 클래스에 forward 메서드가 없습니다." in check("conv_forward", MyConvolution).text


def test_the_network_must_use_the_learners_own_softmax_with_loss():
    class MyConvNet(S.MyConvNet):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.last_layer = SoftmaxWithLoss()
    for result in (check("convnet", MyConvNet), gradient_check(MyConvNet)):
        assert result.status == "fail" and "self.last_layer가 cnnlib의 SoftmaxWithLoss입니다" in result.text


def test_gradient_check_rejects_cnnlibs_network():
    assert "SimpleConvNet" in gradient_check(MyConvNetInherited).text
    assert gradient_check(MyConvNetInherited).status == "fail"


# ---- 2. gradient must run the forward pass itself --------------------------------------------

class NoForwardInGradient(S.MyConvNet):
    def gradient(self, x, t):
        dout = self.last_layer.backward(1)  # forgot self.loss(x, t)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {"W1": self.layers["Conv1"].dW, "b1": self.layers["Conv1"].db,
                "W2": self.layers["Affine1"].dW, "b2": self.layers["Affine1"].db,
                "W3": self.layers["Affine2"].dW, "b3": self.layers["Affine2"].db}


def test_a_gradient_without_the_forward_pass_fails_and_says_what_is_missing():
    for result in (check("convnet", NoForwardInGradient), gradient_check(NoForwardInGradient)):
        assert result.status == "fail"
        assert "gradient 안에서 순전파를 하지 않았습니다" in result.text and "self.loss(x, t)" in result.text
        assert "'NoneType' object" not in result.text


# ---- 3. only plain arrays are compared --------------------------------------------------------

@pytest.mark.parametrize("wrap", [
    lambda out: np.ma.masked_invalid(np.where(out == out.flat[0], np.nan, out)),  # a wrong cell hidden
    lambda out: np.ma.masked_all(out.shape),                                      # all garbage, all hidden
    lambda out: np.ma.masked_array(out),                                          # right values, masked type
])
def test_a_masked_array_is_rejected_with_a_sentence(wrap):
    result = check("conv_single", lambda x, w, stride=1, pad=0: wrap(S.my_conv_single(x, w, stride, pad)))
    assert result.status == "fail"
    assert "출력 값이 일반 NumPy 배열(np.ndarray)이 아니라 MaskedArray입니다" in result.text


# ---- 4. a patched cnnlib class can neither pass nor poison --------------------------------------

def _fresh_caches():
    checker._expected.cache_clear()
    checker._MUTANT_OUTCOMES.clear()


def test_a_patched_layer_does_not_pass_and_does_not_poison_later_checks(monkeypatch):
    _fresh_caches()
    with monkeypatch.context() as m:
        m.setattr(Relu, "backward", lambda self, dout: dout)  # the learner's cell patches cnnlib
        patched = check("convnet", S.MyConvNet)
        mutant = next(mu for mu in MISTAKES["convnet"] if mu.key == "layers_not_reversed").impl
        patched_mutant = check("convnet", mutant)
    assert patched.status == "fail"
    assert "cnnlib의 Relu.backward이(가) 바뀌어 있습니다" in patched.text
    assert patched_mutant.mistake is None  # no diagnosis from a patched library ...
    assert check("convnet", S.MyConvNet).status == "pass"  # ... and nothing cached from it
    assert check("convnet", mutant).mistake == "layers_not_reversed"


def test_a_patched_im2col_does_not_reach_the_expected_values(monkeypatch):
    _fresh_caches()
    import cnnlib.layers
    with monkeypatch.context() as m:
        m.setattr(cnnlib.layers, "im2col", lambda *a, **k: np.zeros((1, 1)))
        assert check("conv_backward", S.MyConvolutionBackward).status == "fail"
    assert check("conv_backward", S.MyConvolutionBackward).status == "pass"


# ---- 5. inputs must not be changed in place ----------------------------------------------------

class PoolingWritesIntoX(T.MyPooling):
    def backward(self, dout):
        dx = self.x  # the caller's input, overwritten below
        dx[...] = S.MyPooling.backward(self, dout)
        return dx


def test_overwriting_the_input_fails_with_a_sentence():
    result = check("pool_backward", PoolingWritesIntoX)
    assert result.status == "fail" and "입력 배열 x를 바꿨습니다" in result.text


def test_changing_an_input_of_a_function_fails_too():
    def my_im2col(input_data, filter_h, filter_w, stride=1, pad=0):
        col = S.my_im2col(input_data, filter_h, filter_w, stride, pad)
        input_data *= 0
        return col
    assert "입력 배열 input_data를 바꿨습니다" in check("im2col", my_im2col).text


# ---- 6. never a frozen cell, never a traceback ------------------------------------------------

def forgot_increment(x, w, stride=1, pad=0):
    OH, OW = S.my_conv_single(x, w, stride, pad).shape
    out = np.zeros((OH, OW))
    i = 0
    while i < OH:
        j = 0
        while j < OW:
            out[i, j] = 1.0
        i += 1
    return out


def test_a_runaway_loop_is_stopped_with_the_case_and_the_line(short_budget):
    start = time.perf_counter()
    result = check("conv_single", forgot_increment)
    assert time.perf_counter() - start < 5
    assert result.status == "fail"
    assert "1번째 경우에서 멈췄습니다: 검사 시간 0.3초(모든 경우를 합한 시간)가 다 되었습니다" in result.text
    assert "그 경우: 책의 예 (그림 7-3): x (4, 4), w (3, 3), stride=1, pad=0" in result.text
    assert re.search(r"멈춘 곳: forgot_increment 함수의 \d+번째 줄: (while j < OW:|out\[i, j\] = 1.0)", result.text)


def test_the_budget_is_for_all_cases_together(short_budget):
    def slow_but_right(x, w, stride=1, pad=0):
        time.sleep(0.1)
        return S.my_conv_single(x, w, stride, pad)
    start = time.perf_counter()
    result = check("conv_single", slow_but_right)
    assert time.perf_counter() - start < 3  # not 40 cases x 0.1 s
    stopped_at = re.search(r"(\d+)번째 경우에서 멈췄습니다: 검사 시간 0.3초", result.text)
    assert stopped_at and 2 <= int(stopped_at[1]) <= 4, result.text


def test_the_budget_also_stops_a_blocking_call_and_works_off_the_main_thread(short_budget):
    def sleepy(x, w, stride=1, pad=0):
        time.sleep(60)
    results = {}
    thread = threading.Thread(target=lambda: results.update(other=check("conv_single", forgot_increment)))
    start = time.perf_counter()
    thread.start()
    thread.join(10)
    results["main"] = check("conv_single", sleepy)
    assert time.perf_counter() - start < 10
    for result in results.values():
        assert "1번째 경우에서 멈췄습니다: 검사 시간 0.3초" in result.text


@pytest.mark.parametrize("stop,says", [
    (KeyboardInterrupt, "검사가 중단(KeyboardInterrupt)되었습니다 (1번째 경우를 실행하던 중)."),
    (SystemExit, "함수가 exit()나 sys.exit()로 끝나려 해서 검사를 멈췄습니다 (1번째 경우를 실행하던 중)."),
])
def test_ctrl_c_or_exit_in_the_learners_code_ends_the_check_with_a_sentence(stop, says):
    def learner(x, w, stride=1, pad=0):
        print("got here")
        raise stop
    result = check("conv_single", learner)
    assert result.status == "fail" and says in result.text
    assert "got here" in result.text and "Traceback" not in result.text


def test_ctrl_c_while_the_tutor_works_ends_with_a_sentence(monkeypatch):
    def interrupted(name):
        raise KeyboardInterrupt
    monkeypatch.setattr(checker, "_expected", interrupted)
    result = check("conv_single", S.my_conv_single)
    assert result.status == "fail" and "검사가 중단(KeyboardInterrupt)되었습니다." in result.text


def test_ctrl_c_while_the_mistakes_run_caches_nothing(monkeypatch):
    _fresh_caches()
    (m,) = [m for m in MISTAKES["conv_single"] if m.key == "kernel_flipped"]
    calls = []

    def interrupted_once(x, w, stride=1, pad=0):
        if not calls:
            calls.append(1)
            raise KeyboardInterrupt
        return m.impl(x, w, stride, pad)
    monkeypatch.setitem(MISTAKES, "conv_single", [Mistake(m.exercise, m.key, interrupted_once, m.diagnosis, m.hint)])
    first = check("conv_single", m.impl)
    assert "검사가 중단(KeyboardInterrupt)되었습니다." in first.text
    assert check("conv_single", m.impl).mistake == "kernel_flipped"  # computed afresh, not the interrupted run
    _fresh_caches()  # forget the outcomes of the shortened catalogue


# ---- 7. a complex output is explained --------------------------------------------------------

def test_a_complex_output_says_what_is_wrong():
    result = check("conv_single", lambda x, w, stride=1, pad=0: S.my_conv_single(x, w, stride, pad).astype(complex))
    assert result.status == "fail" and "출력 자료형이 복소수(complex128)입니다" in result.text
    assert "검사기에 문제가 생겼습니다" not in result.text


@pytest.mark.parametrize("dtype", [object, "U3", bool])
def test_other_non_float_outputs_are_explained(dtype):
    result = check("conv_single", lambda x, w, stride=1, pad=0: S.my_conv_single(x, w, stride, pad).astype(dtype))
    assert result.status == "fail" and "자료형" in result.text and "검사기에 문제" not in result.text


# ---- 8. "× k" only for arrays ------------------------------------------------------------------

class LossWithWrongIndexing(S.MySoftmaxWithLoss):
    def forward(self, x, t):
        self.t = t
        self.y = T.softmax(x)
        self.loss = -np.sum(np.log(self.y[:, t])) / x.shape[0]  # y[:, t]: an (N, N) block, not N values
        return self.loss


class ConvNetWrongLoss(S.MyConvNet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_layer = LossWithWrongIndexing()


def test_a_wrong_scalar_loss_gets_no_ratio():
    result = check("convnet", ConvNetWrongLoss)
    assert result.status == "fail" and "손실 값이 기대값과 다릅니다" in result.text
    assert "×" not in result.text


def test_an_array_off_by_a_factor_still_shows_it():
    result = check("conv_single", lambda x, w, stride=1, pad=0: 2 * S.my_conv_single(x, w, stride, pad))
    assert "(여러분의 값 = 기대값 × 2.00)" in result.text


# ---- 9. the hint call works where the learner is -----------------------------------------------

def test_the_printed_hint_call_runs_in_the_notebooks_namespace():
    result = check("conv", lambda x, w, b, stride=1, pad=0: np.zeros((1, 1, 1, 1)))
    (call,) = re.findall(r'tutor\.hints\("conv"\)', result.text)
    namespace = {"tutor": tutor}  # what the notebooks import: from cnnlib import tutor
    assert "hints('conv')" not in result.text
    assert eval(call, namespace).text.startswith(EXERCISES["conv"].title)  # noqa: S307  (our own message)


# ---- 10. the check and the rerun snippet call the same way --------------------------------------

def swapped(x, w, pad=0, stride=1):
    return S.my_conv_single(x, w, stride, pad)


def test_the_rerun_snippet_calls_as_the_checker_does_and_the_signature_is_mentioned():
    result = check("conv_single", swapped)
    assert result.status == "fail"
    assert "매개변수가 (x, w, pad, stride)로 선언되어 있는데 시작 코드는 (x, w, stride, pad)입니다." in result.text
    checker_says = re.search(r"함수가 예외를 일으켰습니다: (\w+)", result.text) or re.search(r"(형상|칸)", result.text)
    namespace = {"np": np, "swapped": swapped}
    try:
        exec(result.rerun, namespace)  # noqa: S102  (the snippet the learner copies)
        snippet = "no exception"
    except Exception as exc:  # noqa: BLE001
        snippet = type(exc).__name__
    if "예외" in checker_says[0]:
        assert snippet == checker_says[1]
    else:
        assert snippet == "no exception"
    assert "swapped(x, w, " in result.rerun and "stride=" not in result.rerun.split("#")[0].splitlines()[-1]


# ---- 11. a mistake is named when it explains the failing cases ----------------------------------

def stride_ignored_in_rows_only(x, w, stride=1, pad=0):
    out = S.my_conv_single(x, w, stride, pad)
    xp = np.pad(x, pad)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(xp[i:i + w.shape[0], j * stride:j * stride + w.shape[1]] * w)
    return out


def test_a_mistake_along_one_axis_only_is_named_with_how_sure():
    result = check("conv_single", stride_ignored_in_rows_only)
    assert result.mistake == "stride_ignored", result.text
    assert re.search(r"진단 \(틀린 값의 약 \d+%가 이 실수와 같습니다\)", result.text)


@pytest.mark.parametrize("exercise,key", [
    ("conv_single", "size_without_padding"), ("conv_single", "padding_not_applied"),
    ("pool_backward", "every_tied_max"), ("col2im", "overlaps_averaged"), ("convnet", "relu_shared"),
    ("conv", "bias_on_batch_axis"),
])
def test_the_mistakes_learners_made_are_catalogued(exercise, key):
    (m,) = [m for m in MISTAKES[exercise] if m.key == key]
    assert check(exercise, m.impl).mistake == key


def test_padding_forgotten_as_typed_in_the_browser_is_named():
    def my_conv_single(x, w, stride=1, pad=0):  # the output size has the padding, the windows do not
        OH = (x.shape[0] + 2 * pad - w.shape[0]) // stride + 1
        OW = (x.shape[1] + 2 * pad - w.shape[1]) // stride + 1
        out = np.zeros((OH, OW))
        for i in range(OH):
            for j in range(OW):
                window = x[i * stride:i * stride + w.shape[0], j * stride:j * stride + w.shape[1]]
                out[i, j] = (window * w).sum()
        return out
    result = check("conv_single", my_conv_single)
    assert result.mistake == "padding_not_applied" and "진단: " in result.text


# ---- 12. hints: idea, shapes, one line of pseudo-code; the code only in solution() ------------

def _code_lines(name):
    lines = [ln.split("#")[0].strip() for ln in solution_source(name).splitlines()]
    return [ln for ln in lines if len(ln) >= 12 and not ln.startswith(("def ", "return", "class "))]


@pytest.mark.parametrize("name", list(EXERCISES))
def test_hints_hold_no_line_of_the_model_solution(name):
    ex = EXERCISES[name]
    assert len(ex.hints) == 3 and all("\n" not in h for h in ex.hints)
    for line in _code_lines(name):
        for hint in ex.hints:
            assert line not in hint, (name, line)


def test_the_first_hints_do_not_give_the_answer_away():
    assert "@" not in EXERCISES["conv_backward"].hints[0] and "col_W.T" not in EXERCISES["conv_backward"].hints[0]
    assert "ReLU" not in EXERCISES["pool_backward"].hints[0]
    assert "첫 번째 칸 하나" in EXERCISES["pool_backward"].hints[0]


def test_after_a_failure_the_hint_fits_the_failure():
    def wrong_shape(x, w, stride=1, pad=0):
        return np.zeros((1, 1))

    def wrong_values(x, w, stride=1, pad=0):
        return S.my_conv_single(x, w, stride, pad) + (x.sum() % 7 == 3)
    hints_ = EXERCISES["conv_single"].hints
    shape_result, value_result = check("conv_single", wrong_shape), check("conv_single", wrong_values)
    assert shape_result.mistake is None and f"힌트 2 (형상): {hints_[1]}" in shape_result.text
    assert value_result.mistake is None and f"힌트 3: {hints_[2]}" in value_result.text


# ---- 13. display: legible marks, every channel, any float dtype --------------------------------

def test_mixed_channels_show_every_channel():
    (m,) = [m for m in MISTAKES["pool"] if m.key == "channels_mixed"]
    html = check("pool", m.impl)._repr_html_()
    n_channels = max(c.arrays["x"].shape[1] for c in EXERCISES["pool"].make_cases())
    assert n_channels > 1
    shown = set(re.findall(r"기대값 출력\[(\d+), (\d+)\]", html))
    assert len({c for _, c in shown}) > 1  # several channels of the output ...
    assert len(set(re.findall(r"x\[(\d+), (\d+)\]", html))) == len({c for _, c in shown})  # ... and of x


def _float32(impl):
    if isinstance(impl, type):
        class Float32(impl):
            def forward(self, x, *rest):
                return np.float32(1) * super().forward(x, *rest).astype(np.float32)

            def backward(self, dout, *rest):
                dx = super().backward(dout, *rest)
                for key in ("dW", "db"):
                    if getattr(self, key, None) is not None:
                        setattr(self, key, getattr(self, key).astype(np.float32))
                return dx.astype(np.float32)
        return Float32
    return lambda *args: impl(*args).astype(np.float32)


@pytest.mark.parametrize("name", ["conv_single", "conv", "pool", "im2col", "col2im", "conv_forward",
                                  "conv_backward", "pool_backward"])
def test_float32_results_pass(name):
    impl = {"conv_single": S.my_conv_single, "conv": S.my_conv, "pool": S.my_pool, "im2col": S.my_im2col,
            "col2im": S.my_col2im, "conv_forward": S.MyConvolution, "conv_backward": S.MyConvolutionBackward,
            "pool_backward": S.MyPooling}[name]
    result = check(name, _float32(impl))
    assert result.status == "pass", result.text


def test_a_float32_network_passes():
    class Float32Net(S.MyConvNet):
        def gradient(self, x, t):
            return {k: v.astype(np.float32) for k, v in super().gradient(x.astype(np.float32), t).items()}
    assert check("convnet", Float32Net).status == "pass"


def test_float32_values_that_are_wrong_still_fail():
    result = check("conv_single", lambda x, w, stride=1, pad=0: (S.my_conv_single(x, w, stride, pad) * 1.001)
                   .astype(np.float32))
    assert result.status == "fail" and "칸이 기대값과 다릅니다" in result.text
