"""The explorers' controls: what a control is (:class:`Control`), the controls several explorers share
(the convolution's sizes, used by the convolution and im2col explorers), and the ipywidgets that show
them.

A numeric control is a slider with a wide track and, beside it, a number box a learner can type into;
a typed value outside the range is clamped *and said so* (``H = 99 → 12``) — see :class:`NumberControl`.
A control with ``quick`` values gets buttons for them (AlexNet's valid input sizes). A control with
``options`` is a row of toggle buttons.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import ipywidgets as widgets

__all__ = ["Control", "NumberControl", "CONV_CONTROLS", "make_widget", "LABEL_PX", "TRACK_PX"]

LABEL_PX = 92    # the description's width: lines the sliders up
TRACK_PX = 110   # a small range's track (1–12: 10 px a step; it was 84 px)
BOX_PX = 52      # the number box
WIDE_TRACK_PX = 360  # a large range's track (window position, im2col row, image number)


@dataclass(frozen=True)
class Control:
    """One control: ``name`` (Settings field), visible ``description``, integer range ``lo``..``hi`` or
    ``options`` [(label, value), ...], the ``row`` it sits in ('basic', 'advanced' or 'window'), an
    English ``hint`` (the tooltip) and ``quick`` values offered as buttons."""

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
        return self.row == "window" or self.hi - self.lo > 40


# The convolution's sizes: the convolution explorer (7.2) and the im2col explorer (7.4) use the same.
CONV_CONTROLS = (
    Control("H", "입력 높이 H", 1, 12, hint="input height"),
    Control("W", "입력 너비 W", 1, 12, hint="input width"),
    Control("FH", "필터 높이 FH", 1, 6, hint="filter height"),
    Control("FW", "필터 너비 FW", 1, 6, hint="filter width"),
    Control("pad", "패딩 P", 0, 3, hint="padding"),
    Control("stride", "스트라이드 S", 1, 4, hint="stride"),
    Control("dilation", "팽창 D", 1, 3, row="advanced", hint="dilation"),
    Control("C", "입력 채널 C", 1, 3, row="advanced", hint="input channels"),
    Control("FN", "필터 개수 FN", 1, 3, row="advanced", hint="number of filters"),
    Control("N", "배치 N", 1, 3, row="advanced", hint="batch size"),
)


class NumberControl:
    """A slider (no readout) and a number box beside it, kept equal; ``slider`` is the control tests and
    ``Explorer.set`` move. A typed value outside the slider's current range is clamped, and ``on_clamp``
    is told ``(control, typed, kept)`` so the explorer can say so."""

    def __init__(self, control: Control, value: int, prefix: str, on_clamp):
        track = control.track or (WIDE_TRACK_PX if control.wide else TRACK_PX)
        self.control = control
        self.slider = widgets.IntSlider(
            value=value, min=control.lo, max=control.hi, step=1, continuous_update=True, readout=False,
            description=control.description, description_allow_html=False,
            tooltip=control.hint or None,
            style={"description_width": f"{LABEL_PX}px"},
            layout=widgets.Layout(width=f"{LABEL_PX + track + 8}px", margin="1px 2px 1px 0"))
        self.box = widgets.IntText(value=value, layout=widgets.Layout(width=f"{BOX_PX}px", margin="1px 8px 1px 0"))
        self.box.add_class(f"{prefix}-box")
        self.box.add_class(f"{prefix}-box-{control.name}")
        self._on_clamp = on_clamp
        self._echo = False
        self.slider.observe(self._slider_moved, names="value")
        self.box.observe(self._typed, names="value")
        parts = [self.slider, self.box]
        for v in control.quick:
            b = widgets.Button(description=str(v), layout=widgets.Layout(width="auto", margin="1px 2px"),
                               tooltip=f"{control.description} = {v}")
            b.add_class(f"{prefix}-quick")
            b.add_class("cnnlib-quick")
            b.on_click(lambda _b, v=v: setattr(self.slider, "value", v))
            parts.append(b)
        self.widget = widgets.HBox(parts, layout=widgets.Layout(align_items="center", flex_flow="row wrap"))
        self.widget.add_class("cnnlib-control-row")

    def _slider_moved(self, change) -> None:
        if self.box.value != change["new"]:
            self._echo = True
            try:
                self.box.value = change["new"]
            finally:
                self._echo = False

    def _typed(self, change) -> None:
        if self._echo:
            return
        typed = change["new"]
        kept = min(max(typed, self.slider.min), self.slider.max)
        self.slider.value = kept
        if kept != typed:
            self._echo = True
            try:
                self.box.value = kept
            finally:
                self._echo = False
            self._on_clamp(self.control, typed, kept, self.slider.min, self.slider.max)

    def set_range(self, hi: int, disabled: bool) -> None:
        if self.slider.value > hi:
            self.slider.value = hi
        self.slider.max = hi
        self.slider.disabled = disabled
        self.box.disabled = disabled


def make_widget(control: Control, value, prefix: str, on_clamp):
    """(the control's widget, the widget to lay out): a :class:`NumberControl` for a range, a row of
    toggle buttons with its label inline for options."""
    if control.options:
        w = widgets.ToggleButtons(options=list(control.options), value=value, description=control.description,
                                  tooltip=control.hint or None,
                                  style={"description_width": "initial", "button_width": "auto"})
        w.add_class(f"{prefix}-control")
        w.add_class(f"{prefix}-control-{control.name}")
        return w, w, None
    number = NumberControl(control, value, prefix, on_clamp)
    number.slider.add_class(f"{prefix}-control")
    number.slider.add_class(f"{prefix}-control-{control.name}")
    return number.slider, number.widget, number
