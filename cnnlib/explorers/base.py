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
each slider with a number box, a Play button linked to a ``position`` control, a one-line note when a
typed value is clamped, and the live view (:mod:`.live`) whose clicks move the sliders. Observers only
assign trait values (safe for nbval and for headless tests, which set ``control.value`` and read
``outputs[part].value``; ``select_cell(grid, row, col)`` is what a click calls).

Displayed in a notebook, an explorer is one picture: the widget where a front end can show widgets, the
static copy of its default view (:meth:`Explorer.static_html`) where it cannot (GitHub, a notebook
opened without running), and a sentence as plain text.
"""

from __future__ import annotations

import numbers
from dataclasses import fields, replace

import ipywidgets as widgets
import traitlets
from IPython.display import display

from .controls import Control, make_widget
from .live import PLAIN_TEXT, STALE_HINT_HTML, LiveView, layout_html
from ..htmlkit.style import attrs, live

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
        self.live_view = None
        self.clamp_note = None
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
        head = f"<div{attrs('x-static-head')}>정적 그림 (static view): {self.describe(settings)}</div>"
        title = f"<div{attrs('x-ptitle')}>{self.title}</div>" if self.title else ""
        return (f'<div class="{self.css_prefix}-static">' + title + head
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
        for name, value in values.items():
            if name not in self.controls:
                raise ValueError(f"no control named {name!r}; controls: {', '.join(self.controls)}.")
            self.controls[name].value = value

    def select_cell(self, grid: str, row: int, col: int, how: str = "click") -> dict:
        """What a click (or hover) on cell (row, col) of grid ``grid`` does: the sliders move to the window
        it selects. Returns the settings changed."""
        self.widget
        changes = self.select(self.settings(), grid, row, col)
        self._syncing = True  # one redraw for all the changes
        try:
            for name, value in changes.items():
                self.controls[name].value = value
        finally:
            self._syncing = False
        if changes:
            self.clamp_note.value = ""
            self._refresh()
        return changes

    def to_end(self, name: str, end: str = "max") -> None:
        """What End (``end='max'``) or Home (``'min'``) on a slider does: its value goes to the end of its
        current range, which may depend on the other settings (the window position)."""
        self.widget
        w = self.controls.get(name)
        if w is not None and hasattr(w, "max") and not w.disabled:
            w.value = w.max if end == "max" else w.min

    def _say_clamped(self, control, typed, kept, lo, hi) -> None:
        end = "가장 큰" if typed > hi else "가장 작은"
        self.clamp_note.value = (f"<span{attrs('x-small')}>{control.description}: {typed} → {kept} "
                                 f"({end} 값은 {kept}, 범위 {lo}–{hi})</span>")

    def _controls_box(self) -> widgets.VBox:
        groups = {"basic": [], "advanced": [], "window": []}
        for control in self.CONTROLS:
            w, shown, number = make_widget(control, getattr(self.defaults, control.name), self.css_prefix,
                                           self._say_clamped)
            self.controls[control.name] = w
            if number is not None:
                self.numbers[control.name] = number
            groups[control.row].append((control, shown))
        rows = []
        for group in ("basic", "advanced"):
            items = groups[group]
            if not items:
                continue
            options = [shown for c, shown in items if c.options]
            wide = [shown for c, shown in items if not c.options and (c.wide or c.quick)]   # a row each
            ranges = [shown for c, shown in items if not c.options and not (c.wide or c.quick)]
            pairs = [widgets.VBox(ranges[i : i + 2]) for i in range(0, len(ranges), 2)]
            if group == "advanced":
                label = widgets.HTML('<div class="cnnlib-group-label">고급 (advanced)</div>')
                rows.append(label)
            rows.extend(options)
            rows.extend(wide)   # (declared order: the image number before the filter number)
            if pairs:
                grid = widgets.Box(pairs)
                grid.add_class("cnnlib-pairs")
                rows.append(grid)
        window = [shown for _, shown in groups["window"]]
        if "position" in self.controls:
            self.play = widgets.Play(value=0, min=0, max=0, step=1, interval=self.play_interval_ms,
                                     description="재생", show_repeat=False, tooltip="play")
            self.play.add_class(f"{self.css_prefix}-play")
            traitlets.link((self.play, "value"), (self.controls["position"], "value"))
            window = [self.play] + window
        if window:
            rows.append(widgets.HBox(window, layout=widgets.Layout(flex_flow="row wrap", align_items="center")))
        self.clamp_note = widgets.HTML("")
        self.clamp_note.add_class("cnnlib-clamp")
        self.clamp_note.add_class(f"{self.css_prefix}-clamp")
        rows.append(self.clamp_note)
        box = widgets.VBox(rows)
        box.add_class("cnnlib-controls")
        return box

    def _build(self) -> widgets.VBox:
        controls = self._controls_box()
        self.live_view = LiveView(self.css_prefix, self.layout)
        self.live_view.on_pick(lambda grid, row, col, how: self.select_cell(grid, row, col, how))
        self.live_view.on_end(self.to_end)
        self.outputs = {p: Part(self.live_view, p) for p in self.PARTS}
        children = []
        if self.title:
            children.append(widgets.HTML(f"<b>{self.title}</b>"))
        children += [controls, self.live_view]
        box = widgets.VBox(children)
        box.add_class(self.css_prefix)
        box.add_class("cnnlib-explorer")
        for w in self.controls.values():
            w.observe(self._on_change, names="value")
        self._refresh()
        return box

    def _on_change(self, change) -> None:
        if not self._syncing:
            self.clamp_note.value = ""
            self._refresh()

    def _refresh(self) -> None:
        """Bring dependent ranges up to date, then send the parts that changed, in one message."""
        self._syncing = True
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
                self.play.max = self.controls["position"].max
                self.play.disabled = self.controls["position"].disabled
            self._adjust_controls(self.settings())
            settings = self.settings()
        finally:
            self._syncing = False
        self.live_view.show(self.live_html(settings))

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
