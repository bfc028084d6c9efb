"""The explorers' controls: what a control is (:class:`Control`), the window geometry every window explorer
shares (:data:`GEOMETRY`), and the ipywidgets that show a control.

A numeric control is a slider with a wide track and, beside it, a number box a learner can type into
(:class:`NumberControl`). The box takes whole numbers only: a value outside the range is clamped, and
anything else (``2.5``, ``abc``) is refused; either way the box keeps a valid value and says what it did
beside itself. A control with ``quick`` values gets buttons for them (AlexNet's valid input sizes). A
control with ``options`` is a row of toggle buttons.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, replace
from html import escape

import ipywidgets as widgets

__all__ = ["Control", "Looks", "NumberBox", "NumberControl", "GEOMETRY", "CONV_CONTROLS", "POOL_WINDOW", "make_widget", "read_whole",
           "LABEL_PX", "TRACK_PX"]

LABEL_PX = 108   # the description's width: lines the sliders up ("풀링 너비 pool_w" fits)
TRACK_PX = 94    # a small range's track (1–12: 8 px a step)
BOX_PX = 48      # the number box
WIDE_TRACK_PX = 300  # a large range's track (window position, im2col row, image number)


@dataclass(frozen=True)
class Control:
    """One control: ``name`` (Settings field), visible ``description``, integer range ``lo``..``hi`` or
    ``options`` [(label, value), ...], the ``row`` it sits in ('basic'; 'advanced', folded until the learner
    opens it; or 'bar', the one line that stays in view while the notebook scrolls), an English ``hint``
    (the tooltip) and ``quick`` values offered as buttons."""

    name: str
    description: str
    lo: int = 0
    hi: int = 0
    row: str = "basic"
    options: tuple = ()
    hint: str = ""
    quick: tuple = ()
    track: int = 0     # the slider's track in pixels (0: by the range)

    def check(self, value, hi=None):
        """A clear ValueError unless ``value`` is allowed; ``hi`` replaces the static upper end for a
        control whose range depends on other settings (see ``Explorer.limits``)."""
        if self.options:
            allowed = [v for _, v in self.options]
            if value not in allowed:
                raise ValueError(f"{self.name} must be one of {allowed}; got {value!r}.")
            return
        hi = self.hi if hi is None else hi
        whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if not (whole and self.lo <= value <= hi):
            raise ValueError(f"{self.name} must be a whole number from {self.lo} to {hi}; got {value!r}.")

    @property
    def wide(self) -> bool:
        """A large range gets a long track."""
        return self.hi - self.lo > 40


# The window geometry (input, window, padding, stride): the Settings fields of geometry.WindowSettings,
# the same for the convolution (7.2), pooling (7.3) and im2col (7.4) explorers.
GEOMETRY = (
    Control("H", "입력 높이 H", 1, 12, hint="input height"),
    Control("W", "입력 너비 W", 1, 12, hint="input width"),
    Control("FH", "필터 높이 FH", 1, 6, hint="filter height"),
    Control("FW", "필터 너비 FW", 1, 6, hint="filter width"),
    Control("pad", "패딩 P", 0, 3, hint="padding"),
    Control("stride", "스트라이드 S", 1, 4, hint="stride"),
)
_G = {c.name: c for c in GEOMETRY}
# A pooling window is named as the book's Pooling(pool_h, pool_w, ...) names it (the formula says pool_h too).
POOL_WINDOW = (replace(_G["FH"], description="풀링 높이 pool_h", hi=4, hint="pool_h"),
               replace(_G["FW"], description="풀링 너비 pool_w", hi=4, hint="pool_w"))
# The convolution's controls: the convolution explorer (7.2) and the im2col explorer (7.4) use the same.
CONV_CONTROLS = GEOMETRY + (
    Control("dilation", "팽창 D", 1, 3, row="advanced", hint="dilation"),
    Control("C", "입력 채널 C", 1, 3, row="advanced", hint="input channels"),
    Control("FN", "필터 개수 FN", 1, 3, row="advanced", hint="number of filters"),
    Control("N", "배치 N", 1, 3, row="advanced", hint="batch size"),
)

class Looks:
    """The Layouts and styles of one explorer's widgets, one per distinct look. A saved notebook stores every
    widget model's whole state (a Layout alone has 40 keys), so widgets that look alike share one; nothing
    changes a shared look afterwards (what changes — a folded row, a hidden control — is a CSS class)."""

    def __init__(self):
        self._made = {}

    def _one(self, kind, **spec):
        key = (kind.__name__, tuple(sorted(spec.items())))
        if key not in self._made:
            self._made[key] = kind(**spec)
        return self._made[key]

    def layout(self, **spec) -> widgets.Layout:
        return self._one(widgets.Layout, **spec)

    def style(self, widget_class, **spec):
        """A style for widgets of ``widget_class`` (ipywidgets.Text, ...): the class its ``style`` trait holds."""
        return self._one(widget_class.class_traits()["style"].klass, **spec)


_WHOLE = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+[.,]\d*|[.,]\d+|\d+(\.\d*)?[eE][+-]?\d+)")


def read_whole(text: str, lo: int, hi: int) -> tuple[int | None, str]:
    """What a number box makes of ``text`` for the range ``lo``..``hi``: (value to use or None, what to say
    beside the box; '' when the value is taken as typed). Whole numbers outside the range are clamped."""
    text = text.strip()
    span = f"{lo}–{hi} 사이의 정수를 넣으세요"
    if not text:
        return None, ""
    if not _WHOLE.fullmatch(text):
        what = "정수가 아닙니다" if _DECIMAL.fullmatch(text) else "숫자가 아닙니다"
        return None, f"{what}: {escape(text[:20])} — {span}"
    typed = int(text)
    kept = min(max(typed, lo), hi)
    if kept == typed:
        return typed, ""
    end = "가장 큰" if typed > hi else "가장 작은"
    return kept, f"{typed} → {kept} ({end} 값은 {kept}, 범위 {lo}–{hi})"


class NumberBox:
    """A box for a whole number from ``lo`` to ``hi`` that a learner types into, and the note beside it
    that says what became of a value it could not take (:func:`read_whole`). ``value`` is the number it
    shows; what is typed goes to ``on_typed(self, text)``."""

    def __init__(self, prefix: str, name: str, on_typed, looks: Looks, value: int = 0, lo: int = 0, hi: int = 0,
                 description: str = ""):
        self.name, self.lo, self.hi, self._value = name, lo, hi, value
        # a text box, not IntText: the browser's number input drops a typed '.' and ignores letters silently
        self.box = widgets.Text(value=str(value), continuous_update=False, description=description,
                                style=looks.style(widgets.Text, description_width="initial" if description else ""),
                                layout=looks.layout(width="auto" if description else f"{BOX_PX}px",
                                                    margin="1px 4px 1px 0"))
        self.box.add_class(f"{prefix}-box")
        self.box.add_class(f"{prefix}-box-{name}")
        self.note = widgets.HTML("", layout=looks.layout(), style=looks.style(widgets.HTML))
        self.note.add_class("cnnlib-note")
        self.note.add_class(f"{prefix}-note-{name}")
        self._echo = False
        self.box.observe(lambda change: self._echo or on_typed(self, change["new"]), names="value")

    @property
    def value(self) -> int:
        """The last valid number (what the box shows once a typed value has been read)."""
        return self._value

    def show(self, value: int) -> None:
        """Show ``value`` (the last valid one) without taking it as typed."""
        self._value = value
        if self.box.value != str(value):
            self._echo = True
            try:
                self.box.value = str(value)
            finally:
                self._echo = False

    def read(self, text: str) -> tuple[int | None, str]:
        return read_whole(text, self.lo, self.hi)

    @property
    def synced(self) -> tuple:
        return (self.box, self.note)


class NumberControl:
    """A slider (no readout) and a :class:`NumberBox` beside it, kept equal by the explorer; ``slider`` is
    the control tests and ``Explorer.set`` move."""

    def __init__(self, control: Control, value: int, prefix: str, on_typed, looks: Looks):
        track = control.track or (WIDE_TRACK_PX if control.wide else TRACK_PX)
        self.control = control
        self.slider = widgets.IntSlider(
            value=value, min=control.lo, max=control.hi, step=1, continuous_update=True, readout=False,
            description=control.description, description_allow_html=False,
            tooltip=control.hint or None,
            style=looks.style(widgets.IntSlider, description_width=f"{LABEL_PX}px"),
            layout=looks.layout(width=f"{LABEL_PX + track + 8}px", margin="1px 2px 1px 0"))
        self.number = NumberBox(prefix, control.name, lambda _number, text: on_typed(self, text), looks, value)
        self.box, self.note = self.number.box, self.number.note
        parts = [self.slider, self.box]
        for v in control.quick:
            b = widgets.Button(description=str(v), layout=looks.layout(width="auto", margin="1px 2px"),
                               style=looks.style(widgets.Button), tooltip=f"{control.description} = {v}")
            b.add_class(f"{prefix}-quick")
            b.add_class("cnnlib-quick")
            b.on_click(lambda _b, v=v: setattr(self.slider, "value", v))
            parts.append(b)
        parts.append(self.note)
        self.widget = widgets.HBox(parts, layout=looks.layout(align_items="center", flex_flow="row wrap"))
        self.widget.add_class("cnnlib-control-row")

    def show_value(self) -> None:
        """The box shows the slider's value (the last valid one)."""
        self.number.show(self.slider.value)

    def read(self, text: str) -> tuple[int | None, str]:
        return read_whole(text, self.slider.min, self.slider.max)

    def set_range(self, hi: int, disabled: bool) -> None:
        if self.slider.value > hi:
            self.slider.value = hi
        self.slider.max = hi
        self.slider.disabled = disabled
        self.box.disabled = disabled

    @property
    def synced(self) -> tuple:
        """The widgets whose state changes with this control."""
        return (self.slider, *self.number.synced)


def make_widget(control: Control, value, prefix: str, on_typed, looks: Looks):
    """(the control's widget, the widget to lay out, its NumberControl or None): a :class:`NumberControl`
    for a range, a row of toggle buttons with its label inline for options."""
    if control.options:
        w = widgets.ToggleButtons(options=list(control.options), value=value, description=control.description,
                                  tooltip=control.hint or None, layout=looks.layout(),
                                  style=looks.style(widgets.ToggleButtons, description_width="initial",
                                                    button_width="auto"))
        w.add_class(f"{prefix}-control")
        w.add_class(f"{prefix}-control-{control.name}")
        return w, w, None
    number = NumberControl(control, value, prefix, on_typed, looks)
    number.slider.add_class(f"{prefix}-control")
    number.slider.add_class(f"{prefix}-control-{control.name}")
    return number.slider, number.widget, number
