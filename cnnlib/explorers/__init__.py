"""Interactive explorers (ipywidgets) for chapter 7, built from shared pieces:

* :mod:`.grid` — the HTML grid renderer (numbers visible, marked cells), written once;
* :mod:`.geometry` — where the windows fall (sizes from :mod:`cnnlib.shapes`);
* :mod:`.explain` — the formula with numbers and the explanation of an invalid setting;
* :mod:`.base` — settings → pure HTML view → widget front (sliders, Play, HTML outputs);
* :mod:`.conv`, :mod:`.pool` — the convolution (7.2) and pooling (7.3) explorers.
* :mod:`.im2col` — the im2col explorer (7.4), forward and backward; :mod:`.tensor` draws a 6-D
  array with labelled axes (im2col's intermediate).

    from cnnlib.explorers import ConvExplorer
    ex = ConvExplorer()
    display(HTML(ex.static_html()))   # the static view (GitHub, no kernel)
    ex                                # the live widget
"""

from .conv import ConvExplorer, ConvSettings
from .pool import PoolExplorer, PoolSettings
from .im2col import Im2colExplorer, Im2colSettings

__all__ = ["ConvExplorer", "ConvSettings", "PoolExplorer", "PoolSettings"]
__all__ += ["Im2colExplorer", "Im2colSettings"]
