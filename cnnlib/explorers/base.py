"""What every explorer shares: settings, a pure settings → HTML view, and an ipywidgets front.

A subclass declares

* ``Settings`` — a frozen dataclass of every control's value (the defaults are the book's
  example);
* ``CONTROLS`` — one :class:`Control` per setting (range, visible label, row);
* ``PARTS`` — names of the HTML parts its ``view`` returns (each part gets its own
  ``HTML`` widget with CSS class ``<css_prefix>-<part>``);
* ``view(settings)`` — pure: returns an object with those parts as HTML strings and
  ``window_count`` (how many window positions exist);

and gets the widget front for free: sliders in a basic and an advanced row, a Play button
linked to a window-position slider (when there is a ``position`` control), and observers
that only assign ``.value`` of ``HTML`` widgets (safe for nbval and for headless tests,
which set ``control.value`` and read ``output.value``). ``static_html()`` is the same view
as one HTML string for the static copy beside each widget in a notebook.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, fields, replace

import ipywidgets as widgets
import traitlets

__all__ = ["Control", "Explorer"]


@dataclass(frozen=True)
class Control:
    """One control: ``name`` (Settings field), visible ``description``, integer range
    ``lo``..``hi`` or ``options`` [(label, value), ...], and the ``row`` it sits in
    ('basic', 'advanced' or 'window')."""

    name: str
    description: str
    lo: int = 0
    hi: int = 0
    row: str = "basic"
    options: tuple = ()

    def check(self, value, hi=None):
        """A clear ValueError unless ``value`` is allowed; ``hi`` replaces the static upper end for a
        control whose range depends on other settings (see :meth:`Explorer.limits`)."""
        if self.options:
            allowed = [v for _, v in self.options]
            if value not in allowed:
                raise ValueError(f"{self.name} must be one of {allowed}; got {value!r}.")
            return
        hi = self.hi if hi is None else hi
        whole = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        if not (whole and self.lo <= value <= hi):
            raise ValueError(f"{self.name} must be a whole number from {self.lo} to {hi}; got {value!r}.")


class Explorer:
    """Base class; see the module docstring."""

    Settings: type
    CONTROLS: tuple[Control, ...]
    PARTS: tuple[str, ...]
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
        self.outputs: dict = {}
        self.play = None
        self._syncing = False

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

    def static_html(self, settings=None) -> str:
        """The view of ``settings`` (default: the explorer's defaults, whatever the controls show now)
        as one HTML string — the static copy beside the widget, for GitHub and nbval."""
        settings = settings or self.defaults
        v = self.view(settings)
        head = (f'<div style="font-size:12px;color:#6b7280;margin:0 0 4px 0">정적 그림 (static view): '
                f'{self.describe(settings)}</div>')
        return (f'<div class="{self.css_prefix}-static">' + head
                + "".join(getattr(v, part) for part in self.PARTS) + "</div>")

    def describe(self, settings) -> str:
        return ", ".join(f"{f.name}={getattr(settings, f.name)}" for f in fields(settings))

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

    def _make_control(self, control: Control, value):
        # A fixed description width lines the sliders up; the window slider gets a longer track.
        width = "520px" if control.row == "window" else "330px"
        common = dict(description=control.description, style={"description_width": "150px"},
                      layout=widgets.Layout(width=width, margin="2px 12px 2px 0"))
        if control.options:
            w = widgets.ToggleButtons(options=list(control.options), value=value,
                                      style={"description_width": "initial", "button_width": "auto"},
                                      description=control.description)
        else:
            w = widgets.IntSlider(value=value, min=control.lo, max=control.hi, step=1,
                                  continuous_update=True, **common)
        w.add_class(f"{self.css_prefix}-control")
        w.add_class(f"{self.css_prefix}-control-{control.name}")
        return w

    def _build(self) -> widgets.VBox:
        rows = {"basic": [], "advanced": [], "window": []}
        for control in self.CONTROLS:
            w = self._make_control(control, getattr(self.defaults, control.name))
            self.controls[control.name] = w
            rows[control.row].append(w)

        if "position" in self.controls:
            self.play = widgets.Play(value=0, min=0, max=0, step=1, interval=self.play_interval_ms,
                                     description="재생 (play)", show_repeat=False)
            self.play.add_class(f"{self.css_prefix}-play")
            traitlets.link((self.play, "value"), (self.controls["position"], "value"))

        for part in self.PARTS:
            out = widgets.HTML(value="")
            out.add_class(f"{self.css_prefix}-{part}")
            self.outputs[part] = out

        wrap = widgets.Layout(flex_flow="row wrap", align_items="center")
        children = []
        if self.title:
            children.append(widgets.HTML(value=f"<b>{self.title}</b>"))
        children.append(widgets.HBox(rows["basic"], layout=wrap))
        if rows["advanced"]:
            label = widgets.HTML(value='<span style="color:#6b7280">고급 (advanced):</span>',
                                 layout=widgets.Layout(margin="0 8px 0 0"))
            children.append(widgets.HBox([label] + rows["advanced"], layout=wrap))
        if self.play is not None:
            children.append(widgets.HBox([self.play] + rows["window"], layout=wrap))
        children.extend(self.outputs[p] for p in self.PARTS)
        box = widgets.VBox(children)
        box.add_class(self.css_prefix)

        for w in self.controls.values():
            w.observe(self._on_change, names="value")
        self._refresh()
        return box

    def _on_change(self, change) -> None:
        if not self._syncing:
            self._refresh()

    def _refresh(self) -> None:
        """Bring dependent ranges up to date, then redraw every part once."""
        self._syncing = True
        try:
            settings = self.settings()
            for name, (hi, disabled) in self.limits(settings).items():
                w = self.controls[name]
                if w.value > hi:
                    w.value = hi
                w.max = hi
                w.disabled = disabled
            if self.play is not None:
                self.play.max = self.controls["position"].max
                self.play.disabled = self.controls["position"].disabled
            settings = self.settings()
        finally:
            self._syncing = False
        view = self.view(settings)
        for part in self.PARTS:
            self.outputs[part].value = getattr(view, part)

    # ---- display -------------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe(self.settings())})"

    def _repr_mimebundle_(self, **kwargs):
        """Show the widget; its text/plain is this explorer's short, deterministic repr."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        return bundle
