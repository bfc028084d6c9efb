"""What every explorer shares: settings, a pure settings → HTML view, and the widget front.

A subclass declares

* ``Settings`` — a frozen dataclass of every control's value (the defaults are the book's example);
* ``CONTROLS`` — one :class:`~.controls.Control` per setting;
* ``PARTS`` — names of the HTML parts its ``view`` returns, and ``LAYOUT`` — the rows they are shown in
  (live and static alike);
* ``view(settings)`` — pure: an object with those parts as HTML strings and ``window_count`` (how many
  window positions exist);
* optionally ``select(settings, grid, row, col)`` — the settings a click on a cell of a pickable grid
  asks for (``{}`` for none);

and gets the widget front for free: the controls in pairs (H beside W, FH beside FW …) above the view,
the rarely used ones folded under "고급 설정", each slider with a number box that says beside itself what
it did with a value it could not take; a one-line bar that stays in view while the notebook scrolls
(Play and the window position, or the explorer's main control); and the live view (:mod:`.live`) whose
clicks move the sliders. Observers only assign trait values (safe for nbval and for headless tests,
which set ``control.value`` and read ``outputs[part].value``; ``select_cell(grid, row, col)`` is what a
click calls, ``play_step()`` what a Play step calls).

The widgets' own updates are sent after the live view's picture (``_held``), and the picture carries the
number boxes' values, so a box never shows a step its picture does not.

Displayed in a notebook, an explorer is one picture: the widget where a front end can show widgets, the
static copy of its default view (:meth:`Explorer.static_html`) where it cannot (GitHub, a notebook
opened without running), and a sentence as plain text.
"""

from __future__ import annotations

import numbers
from contextlib import ExitStack, contextmanager
from dataclasses import fields, replace

import ipywidgets as widgets
from IPython.display import display

from ..htmlkit.style import attrs, live
from .controls import Control, Looks, make_widget
from .live import PLAIN_TEXT, STALE_HINT_HTML, LiveView, layout_html

__all__ = ["Control", "Explorer", "Part"]


class Part:
    """One part of the live view, read like an ``HTML`` widget: ``.value`` is its current HTML."""

    def __init__(self, view: LiveView, name: str):
        self._view, self.name = view, name

    @property
    def value(self) -> str:
        return self._view.part(self.name)


class Explorer:
    """Base class; see the module docstring."""

    Settings: type
    CONTROLS: tuple[Control, ...]
    PARTS: tuple[str, ...]
    LAYOUT: tuple = ()
    css_prefix = "cnnlib-explorer"
    title = ""
    play_interval_ms = 700

    def __init__(self, **settings):
        # numpy integers (np.int64(5)) are whole numbers too; store plain ints so views and reprs agree.
        settings = {k: int(v) if isinstance(v, numbers.Integral) and not isinstance(v, bool) else v
                    for k, v in settings.items()}
        self.defaults = self.Settings(**settings)
        self.check_settings(self.defaults)
        for name, (hi, _) in self.limits(self.defaults).items():  # e.g. a window position that exists
            next(c for c in self.CONTROLS if c.name == name).check(getattr(self.defaults, name), hi=hi)
        self._widget = None
        self.controls: dict = {}
        self.numbers: dict = {}
        self.outputs: dict = {}
        self.play = None
        self.advanced = None
        self.live_view = None
        self._syncing = False

    @property
    def layout(self) -> tuple:
        return self.LAYOUT or tuple((p,) for p in self.PARTS)

    # ---- pure side -------------------------------------------------------------------------

    def check_settings(self, settings) -> None:
        """A clear ValueError for a value outside a control's range (before anything is drawn). For a
        control whose range depends on the other settings (see :meth:`limits`) that is its largest
        range; views show a value past the current end at the end, as the slider does, and the
        constructor refuses it."""
        for control in self.CONTROLS:
            control.check(getattr(settings, control.name))

    def limits(self, settings) -> dict:
        """{control name: (max, disabled)} for controls whose range depends on other settings.
        The base handles 'position' (window positions), if there is such a control; subclasses
        add their own."""
        if not any(c.name == "position" for c in self.CONTROLS):
            return {}
        count = self.view_window_count(settings)
        return {"position": (max(count - 1, 0), count <= 1)}

    def view_window_count(self, settings) -> int:
        raise NotImplementedError

    def view(self, settings=None):
        raise NotImplementedError

    def live_html(self, settings=None) -> dict:
        """{part: HTML} of ``settings`` as the live widget shows it (class names, no inline styles)."""
        with live():
            v = self.view(settings or self.settings())
        return {p: getattr(v, p) for p in self.PARTS}

    def static_html(self, settings=None) -> str:
        """The view of ``settings`` (default: the explorer's defaults, whatever the controls show now)
        as one self-contained HTML string (inline styles) — what shows where the widget cannot."""
        settings = settings or self.defaults
        v = self.view(settings)
        # where the sliders will be: what to do, and which settings this picture shows
        head = (f'<div title="static view of the default settings"{attrs("x-static-head")}>▶ 이 셀을 실행하면 '
                f"슬라이더로 조작할 수 있습니다. <span{attrs('x-small')}>(지금 그림: {self.describe(settings)})</span></div>")
        title = f"<div{attrs('x-ptitle')}>{self.title}</div>" if self.title else ""
        return (f'<div class="{self.css_prefix}-static" style="word-break:keep-all">' + title + head
                + layout_html(self.css_prefix, self.layout, {p: getattr(v, p) for p in self.PARTS}) + "</div>")

    def describe(self, settings) -> str:
        return ", ".join(f"{f.name}={getattr(settings, f.name)}" for f in fields(settings))

    def select(self, settings, grid: str, row: int, col: int) -> dict:
        """The settings a click on cell (row, col) of the grid named ``grid`` asks for; {} for none."""
        return {}

    # ---- widget side -----------------------------------------------------------------------

    @property
    def widget(self) -> widgets.VBox:
        if self._widget is None:
            self._widget = self._build()
        return self._widget

    def settings(self):
        """Current settings: from the controls once the widget exists, else the defaults."""
        if not self.controls:
            return self.defaults
        return replace(self.defaults, **{name: w.value for name, w in self.controls.items()})

    def set(self, **values) -> None:
        """Set controls as a learner would (each assignment fires the observers)."""
        self.widget  # build if needed
        for name in values:
            if name not in self.controls:
                raise ValueError(f"no control named {name!r}; controls: {', '.join(self.controls)}.")
        with self._held():
            for name, value in values.items():
                self.controls[name].value = value

    def select_cell(self, grid: str, row: int, col: int, how: str = "click") -> dict:
        """What a click (or hover) on cell (row, col) of grid ``grid`` does: the sliders move to the window
        it selects. Returns the settings changed."""
        self.widget
        changes = self.select(self.settings(), grid, row, col)
        if changes:
            self._change(changes)
        return changes

    def to_end(self, name: str, end: str = "max") -> None:
        """What End (``end='max'``) or Home (``'min'``) on a slider does: its value goes to the end of its
        current range, which may depend on the other settings (the window position)."""
        self.widget
        w = self.controls.get(name)
        if w is not None and hasattr(w, "max") and not w.disabled:
            self._change({name: w.max if end == "max" else w.min})

    def play_step(self) -> None:
        """One step of Play: the window moves on by one; at the last position Play stops."""
        position = self.controls["position"]
        if position.disabled or position.value >= position.max:
            self.play.value = False
            return
        self._change({"position": position.value + 1})
        if position.value >= position.max:
            self.play.value = False

    # ---- building the controls ---------------------------------------------------------------

    @contextmanager
    def _held(self):
        """Inside: the controls' updates wait, so the live view's picture goes out first and the boxes
        follow it (a box never runs ahead of its picture)."""
        with ExitStack() as stack:
            for w in self._synced_widgets():
                stack.enter_context(w.hold_sync())
            yield

    def _synced_widgets(self) -> list:
        out = [w for n in self.numbers.values() for w in n.synced]
        out += [w for name, w in self.controls.items() if name not in self.numbers]
        return out + ([self.play] if self.play is not None else [])

    def _change(self, values: dict) -> None:
        """Several controls changed at once (a click, a Play step): one new picture for all of them."""
        self._syncing = True
        try:
            with self._held():
                for name, value in values.items():
                    self.controls[name].value = value
                self._clear_notes()
                self._refresh()
        finally:
            self._syncing = False

    def _clear_notes(self) -> None:
        for number in self.numbers.values():
            number.note.value = ""

    def _typed(self, number, text: str) -> None:
        """A value typed into a slider's number box (Enter, or leaving the box): taken, clamped or refused
        — said beside the box, which then shows the value in use."""
        value, note = number.read(text)
        with self._held():
            self._clear_notes()
            if value is not None and value != number.slider.value:
                number.slider.value = value      # (the observers draw the new picture)
            number.show_value()
            number.note.value = note

    def _controls(self) -> tuple[widgets.VBox, widgets.HBox]:
        """(the controls above the view, the one-line bar that stays in view)."""
        groups = {"basic": [], "advanced": [], "bar": []}
        looks = self.looks
        for control in self.CONTROLS:
            w, shown, number = make_widget(control, getattr(self.defaults, control.name), self.css_prefix,
                                           self._typed, looks)
            self.controls[control.name] = w
            if number is not None:
                self.numbers[control.name] = number
            groups[control.row].append((control, shown))
        rows = self._rows(groups["basic"], looks)
        advanced = self._rows(groups["advanced"], looks)
        bar = [shown for c, shown in groups["bar"] if c.name != "position"]
        if "position" in self.controls:
            self.play = widgets.ToggleButton(value=False, description="▶ 재생", tooltip="play", layout=looks.layout(),
                                             style=looks.style(widgets.ToggleButton))
            self.play.add_class("cnnlib-play")
            self.play.add_class(f"{self.css_prefix}-play")
            self.play.observe(self._on_play, names="value")
            bar = [self.play, self.numbers["position"].widget] + bar
        if advanced:
            self.advanced = widgets.VBox(advanced, layout=looks.layout())
            self.advanced.add_class("cnnlib-advanced")
            self.advanced.add_class("cnnlib-hidden")
            rows.append(self.advanced)
            fold = widgets.ToggleButton(value=False, description="고급 설정 ▸", tooltip="more settings",
                                        layout=looks.layout(), style=looks.style(widgets.ToggleButton))
            fold.add_class("cnnlib-fold-button")
            fold.add_class(f"{self.css_prefix}-advanced-button")
            fold.observe(self._on_fold, names="value")
            bar.append(fold)
        box = widgets.VBox(rows, layout=looks.layout())
        box.add_class("cnnlib-controls")
        bar_box = widgets.HBox(bar, layout=looks.layout())
        bar_box.add_class("cnnlib-bar")
        bar_box.add_class(f"{self.css_prefix}-bar")
        return box, bar_box

    @staticmethod
    def _rows(items, looks) -> list:
        """Toggle-button rows, wide controls a row each, then the ranges in pairs (H above W, ...)."""
        options = [shown for c, shown in items if c.options]
        wide = [shown for c, shown in items if not c.options and (c.wide or c.quick)]
        ranges = [shown for c, shown in items if not c.options and not (c.wide or c.quick)]
        rows = options + wide
        if ranges:
            grid = widgets.Box([widgets.VBox(ranges[i : i + 2], layout=looks.layout()) for i in range(0, len(ranges), 2)],
                               layout=looks.layout())
            grid.add_class("cnnlib-pairs")
            rows.append(grid)
        return rows

    def _on_fold(self, change) -> None:
        change["owner"].description = "고급 설정 ▾" if change["new"] else "고급 설정 ▸"
        (self.advanced.remove_class if change["new"] else self.advanced.add_class)("cnnlib-hidden")

    def _on_play(self, change) -> None:
        position = self.controls["position"]
        if change["new"] and position.value >= position.max and not position.disabled:
            self._change({"position": 0})      # Play at the end starts again from the first window
        self.play.description = "⏸ 멈춤" if change["new"] else "▶ 재생"
        self.live_view.playing = bool(change["new"])

    def _build(self) -> widgets.VBox:
        self.looks = Looks()
        controls, bar = self._controls()
        self.live_view = LiveView(self.css_prefix, self.layout, self._current, layout=self.looks.layout())
        self.live_view.interval = self.play_interval_ms
        self.live_view.on_pick(lambda grid, row, col, how: self.select_cell(grid, row, col, how))
        self.live_view.on_end(self.to_end)
        self.live_view.on_step(self.play_step)
        self.outputs = {p: Part(self.live_view, p) for p in self.PARTS}
        children = [widgets.HTML(f"<b>{self.title}</b>", layout=self.looks.layout(),
                                 style=self.looks.style(widgets.HTML))] if self.title else []
        children += [controls, bar, self.live_view]
        box = widgets.VBox(children, layout=self.looks.layout())
        box.add_class(self.css_prefix)
        box.add_class("cnnlib-explorer")
        for w in self.controls.values():
            w.observe(self._on_change, names="value")
        self._refresh()
        return box

    def _on_change(self, change) -> None:
        if not self._syncing:
            self._syncing = True
            try:
                with self._held():
                    self._clear_notes()
                    self._refresh()
            finally:
                self._syncing = False

    def _refresh(self) -> None:
        """Bring dependent ranges and the number boxes up to date, then show the new picture."""
        syncing, self._syncing = self._syncing, True
        try:
            settings = self.settings()
            for name, (hi, disabled) in self.limits(settings).items():
                number = self.numbers.get(name)
                if number is not None:
                    number.set_range(hi, disabled)
                else:
                    w = self.controls[name]
                    if w.value > hi:
                        w.value = hi
                    w.max, w.disabled = hi, disabled
            if self.play is not None:
                self.play.disabled = self.controls["position"].disabled
                if self.play.disabled:
                    self.play.value = False
            self._adjust_controls(self.settings())
            for number in self.numbers.values():
                number.show_value()
        finally:
            self._syncing = syncing
        self.live_view.refresh()

    def _current(self) -> tuple[dict, dict]:
        """({part: HTML}, {number box class: value}) of the current settings: what the live view shows."""
        values = {f"{self.css_prefix}-box-{name}": n.slider.value for name, n in self.numbers.items()}
        return self.live_html(self.settings()), values

    def _adjust_controls(self, settings) -> None:
        """Hook: relabel or hide controls that mean something else in this setting (im2col's pooling)."""

    # ---- display -------------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe(self.settings())})"

    def _repr_mimebundle_(self, **kwargs):
        """One picture: the widget view, the static copy of the default view (text/html, for front ends
        without widgets) and a sentence (text/plain)."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = dict(bundle[0] if isinstance(bundle, tuple) else bundle)
        data["text/html"] = self.static_html()
        data["text/plain"] = PLAIN_TEXT
        return data

    def _ipython_display_(self):
        """In a notebook: a hidden style that explains a stale widget, then the explorer's one picture."""
        display({"text/html": STALE_HINT_HTML, "text/plain": ""}, raw=True)
        display(self._repr_mimebundle_(), raw=True)
