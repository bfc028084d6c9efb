"""Property test of cnnlib.tutor (issue 24): for learner code built by perturbing the model solution
in one line (a number ±1, another operator, another variable, a statement or a ``.T`` left out), the
tutor says ✓ exactly when the code returns the model solution's values on every case: plain float
arrays of the same shape, equal within the dtype's tolerance, with the inputs left unchanged.

The oracle here shares nothing with the checker's comparison, diagnosis, time budget or caches: it
runs the perturbed code and the model solution side by side and compares with numpy.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cnnlib.layers import Convolution
from cnnlib.tutor import EXERCISES, check
from cnnlib.tutor import solutions as S
from cnnlib.tutor import starters as T
from cnnlib.tutor.budget import TimeUp, call_with_budget

_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv)


def _sites(tree):
    """Every one-line change of ``tree`` as (node number in ast.walk order, change)."""
    func = tree.body[0]
    names = sorted({a.arg for a in func.args.args} | {n.id for n in ast.walk(func) if isinstance(n, ast.Name)
                                                     and isinstance(n.ctx, ast.Store)} - {"self"})
    found = []
    for k, node in enumerate(ast.walk(tree)):
        if getattr(node, "lineno", 0) != getattr(node, "end_lineno", -1) or node is func:
            continue
        if isinstance(node, ast.Constant) and type(node.value) is int:
            found += [(k, ("const", node.value + d)) for d in (-1, 1)]
        elif isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            found += [(k, ("op", op)) for op in _OPERATORS if op is not type(node.op)]
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names:
            found += [(k, ("name", other)) for other in names if other != node.id]
        elif isinstance(node, ast.Attribute) and node.attr == "T":
            found.append((k, ("drop_T", None)))
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.Expr)):
            found.append((k, ("drop", None)))
    return found


class _Apply(ast.NodeTransformer):
    def __init__(self, target, change):
        self.target, self.change = target, change
        self.nodes = {}

    def run(self, tree):
        self.nodes = {id(n): k for k, n in enumerate(ast.walk(tree))}
        return ast.fix_missing_locations(self.visit(tree))

    def visit(self, node):
        if self.nodes.get(id(node)) != self.target:
            return super().visit(node)
        kind, value = self.change
        if kind == "const":
            return ast.copy_location(ast.Constant(value), node)
        if kind == "op":
            node.op = value()
            return node
        if kind == "name":
            return ast.copy_location(ast.Name(value, ast.Load()), node)
        if kind == "drop_T":
            return node.value
        return ast.copy_location(ast.Pass(), node)


def _perturbed(func, site):
    """``func`` (a function or method of cnnlib.tutor.solutions) with one change, compiled in the
    solution module's namespace."""
    source = textwrap.dedent(inspect.getsource(func))
    tree = _Apply(*site).run(ast.parse(source))
    namespace = dict(vars(S))
    exec(compile(tree, f"<perturbed {func.__qualname__}>", "exec"), namespace)  # noqa: S102  (our own code)
    return namespace[func.__name__]


def _loss_net(method_name):
    def build(fn):
        loss = type("MySoftmaxWithLoss", (S.MySoftmaxWithLoss,), {method_name: fn})

        class MyConvNet(S.MyConvNet):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.last_layer = loss()
        return MyConvNet
    return build


# (exercise, the solution's function or method, how the perturbed one becomes the learner's code)
TARGETS = [
    ("conv_single", S.my_conv_single, lambda f: f),
    ("conv", S.my_conv, lambda f: f),
    ("pool", S.my_pool, lambda f: f),
    ("im2col", S.my_im2col, lambda f: f),
    ("col2im", S.my_col2im, lambda f: f),
    ("conv_forward", S.MyConvolution.forward, lambda f: type("MyConvolution", (T.MyConvolution,), {"forward": f})),
    ("conv_backward", S.MyConvolutionBackward.backward,
     lambda f: type("MyConvolutionBackward", (Convolution,), {"backward": f})),
    ("pool_backward", S.MyPooling.backward, lambda f: type("MyPooling", (T.MyPooling,), {"backward": f})),
    ("convnet", S.MyConvNet.gradient, lambda f: type("MyConvNet", (S.MyConvNet,), {"gradient": f})),
    ("convnet", S.MyConvNet.__init__, lambda f: type("MyConvNet", (S.MyConvNet,), {"__init__": f})),
    ("convnet", S.MySoftmaxWithLoss.forward, _loss_net("forward")),
    ("convnet", S.MySoftmaxWithLoss.backward, _loss_net("backward")),
]
SITES = {func: _sites(ast.parse(textwrap.dedent(inspect.getsource(func)))) for _, func, _ in TARGETS}
MODEL = {"conv_single": S.my_conv_single, "conv": S.my_conv, "pool": S.my_pool, "im2col": S.my_im2col,
         "col2im": S.my_col2im, "conv_forward": S.MyConvolution, "conv_backward": S.MyConvolutionBackward,
         "pool_backward": S.MyPooling, "convnet": S.MyConvNet}


def _run(ex, impl, case):
    """(values, inputs after the call) or None when the code raised or ran over 2 s."""
    inputs = case.fresh()
    try:
        with np.errstate(all="ignore"):
            return call_with_budget(2.0, ex.run, impl, inputs, case.params), inputs
    except (Exception, TimeUp):  # noqa: BLE001  (any failure of the perturbed code)
        return None


def _same_values(ex, impl, case) -> bool:
    mine, model = _run(ex, impl, case), _run(ex, MODEL[ex.name], case)
    if mine is None:
        return False
    (values, inputs), (expected, _) = mine, model
    if any(not np.array_equal(inputs[k], case.arrays[k]) for k in inputs):
        return False
    for key, exp in expected.items():
        got = values.get(key)
        if isinstance(got, float) or type(got) is np.float64:
            got = np.asarray(got)
        if type(got) is not np.ndarray or got.dtype.kind != "f" or got.shape != np.shape(exp):
            return False
        scale = max(1.0, float(np.max(np.abs(exp), initial=0.0)))
        if not np.allclose(got, exp, rtol=ex.rtol, atol=1e-9 * scale):
            return False
    return True


@pytest.mark.parametrize("name,func,build", TARGETS, ids=[f"{n}-{f.__qualname__}" for n, f, _ in TARGETS])
@settings(max_examples=12, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_one_line_change_passes_exactly_when_its_values_are_right(monkeypatch, name, func, build, data):
    monkeypatch.setattr("cnnlib.tutor.budget.SECONDS", 2.0)
    site = data.draw(st.sampled_from(SITES[func]), label="change")
    ex = EXERCISES[name]
    try:
        learner = build(_perturbed(func, site))
    except SyntaxError:  # e.g. a name that cannot be assigned to
        return
    result = check(name, learner)
    right = all(_same_values(ex, learner, case) for case in ex.make_cases())
    assert result.status in ("pass", "fail", "todo"), result.text
    assert (result.status == "pass") == right, (site, result.text)


def test_the_perturbations_reach_every_kind_of_change():
    kinds = {change[0] for sites in SITES.values() for _, change in sites}
    assert kinds == {"const", "op", "name", "drop_T", "drop"}
    assert min(len(sites) for sites in SITES.values()) >= 10
