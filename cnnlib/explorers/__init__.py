"""Interactive explorers (ipywidgets) for chapter 7, built from shared pieces:

* :mod:`.grid` — the HTML grid renderer (numbers visible, marked cells), written once;
* :mod:`.geometry` — where the windows fall (sizes from :mod:`cnnlib.shapes`);
* :mod:`.explain` — the formula with numbers and the explanation of an invalid setting;
* :mod:`.base` — settings → pure HTML view → widget front (sliders, Play, HTML outputs);
* :mod:`.conv`, :mod:`.pool` — the convolution (7.2) and pooling (7.3) explorers;
* :mod:`.alexnet` — AlexNet's layer table for any input size (7.7).

    from cnnlib.explorers import ConvExplorer
    ex = ConvExplorer()
    display(HTML(ex.static_html()))   # the static view (GitHub, no kernel)
    ex                                # the live widget
"""

from .conv import ConvExplorer, ConvSettings
from .pool import PoolExplorer, PoolSettings
from .alexnet import AlexNetExplorer, AlexNetSettings

__all__ = ["ConvExplorer", "ConvSettings", "PoolExplorer", "PoolSettings", "AlexNetExplorer", "AlexNetSettings"]
