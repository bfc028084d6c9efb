"""cnnlib.tutor — exercises of chapter 7 checked by a tutor that names the mistake.

A notebook exercise is four cells: the statement (markdown), the starter, the check and,
when wanted, the hints and the model solution::

    from cnnlib import tutor

    def my_conv_single(x, w, stride=1, pad=0):   # tutor.starter("conv_single"), filled in by the learner
        ...

    tutor.check("conv_single", my_conv_single)   # ✓ / "아직 구현하지 않았습니다" / ✗ with grids and a diagnosis
    tutor.hints("conv_single")                   # 힌트 1 ▸ 힌트 2 ▸ 힌트 3, each opening the next
    tutor.solution("conv_single")                # the model solution, folded until opened

Public API
----------
``check(name, learner) -> Result``
    Runs the learner's function (or class) on the book's example and then on seeded cases
    from tiny to realistic (padding, stride, non-square inputs and filters, C, FN, N > 1),
    compares with the plain-loop values of :mod:`.references` and shows ✓ with what was
    checked, or the smallest failing case as HTML grids (input, expected, got, differing cells
    marked), an exception with the learner's own line, and — when a catalogued mistake explains
    the failing cases — a one-sentence Korean diagnosis saying how sure it is, with a hint. ✓
    needs plain float arrays (any float dtype, with a tolerance that fits it), inputs left
    unchanged, and a class that defines the exercise's methods itself (not cnnlib's). The
    learner's code has 10 s over all the cases (:mod:`.budget`); a runaway loop, Ctrl-C or
    ``exit()`` ends the check with a sentence. The learner's ``print`` output is shown with the result. An
    untouched starter (``None`` or ``NotImplementedError``) gives "아직 구현하지 않았습니다" and
    the first hint. Never raises except ``ValueError`` for an unknown name. ``Result.status`` is
    "pass", "todo" or "fail"; ``Result.mistake`` the key of the diagnosed mistake. Output is
    deterministic (text/plain and text/html), so executed notebooks pass nbval.
``hints(name)``, ``solution(name)``
    Displayable fold-outs (``<details>``), no kernel round-trip: the hints go from the idea to
    the shapes to one line of pseudo-code; the code is only in the solution.
    ``solution_source(name)`` is the solution's code as text.
``starter(name) -> str``
    The starter code (imports and the function/class to fill in) for the notebook cell.
``gradient_check(MyConvNet) -> Result``
    Backpropagation against numerical gradients for a small float64 network: the largest
    relative error per parameter.
``EXERCISES``, ``MISTAKES``
    The exercises by name and the catalogue of mistakes per exercise.

Exercises (name: what the learner writes)
-----------------------------------------
- ``conv_single`` (7.2): ``my_conv_single(x, w, stride=1, pad=0)``, x (H, W), w (FH, FW) → (OH, OW)
- ``conv`` (7.2): ``my_conv(x, w, b, stride=1, pad=0)``, x (N, C, H, W), w (FN, C, FH, FW), b (FN,) → (N, FN, OH, OW)
- ``pool`` (7.3): ``my_pool(x, pool_h, pool_w, stride=1, pad=0, method="max")`` → (N, C, OH, OW); "average" too
- ``im2col`` (7.4): ``my_im2col(input_data, filter_h, filter_w, stride=1, pad=0)`` → (N*OH*OW, C*FH*FW)
- ``col2im`` (7.4): ``my_col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0)`` → (N, C, H, W)
- ``conv_forward`` (7.4): ``MyConvolution(W, b, stride, pad).forward(x)`` with ``im2col``
- ``conv_backward`` (7.4): ``MyConvolutionBackward(Convolution).backward(dout)`` → dx; sets dW, db
- ``pool_backward`` (7.4): ``MyPooling(pool_h, pool_w, stride, pad).backward(dout)`` → dx (max pooling)
- ``convnet`` (7.5): ``MySoftmaxWithLoss`` forward/backward, ``MyConvNet`` layers and ``gradient(x, t)``

Modules: ``cases`` (seeded cases), ``references`` (expected values, plain loops), ``budget``
(the time limit), ``runner`` (running and comparing), ``library`` (has cnnlib been patched?),
``mistakes`` and ``mutants_*`` (the catalogue), ``starters``, ``solutions``, ``exercises``
(the registry), ``report`` (HTML/text), ``checker`` (check, hints, solution, starter),
``gradcheck``.
"""

from .checker import check, diagnose, hints, solution, solution_source, starter
from .exercises import EXERCISES
from .gradcheck import gradient_check
from .mistakes import MISTAKES
from .report import Result
from .starters import init_convnet_params

__all__ = ["check", "hints", "solution", "solution_source", "starter", "gradient_check", "diagnose",
           "EXERCISES", "MISTAKES", "Result", "init_convnet_params"]
