"""Interactive explorers for chapter 7: move a slider or click a cell, see the numbers change.

* :class:`ConvExplorer` (7.2), :class:`PoolExplorer` (7.3), :class:`Im2colExplorer` (7.4),
  :class:`FeatureMapExplorer` (7.6), :class:`AlexNetExplorer` (7.7).

In a notebook, the explorer object itself is the cell's output::

    from cnnlib.explorers import ConvExplorer
    explorer = ConvExplorer()
    explorer            # the live explorer; where widgets cannot show (GitHub): its static view

How they are built — modules, the live/static HTML, the classes and labels that tests and the browser test
rely on — is in ``docs/explorers.md``.
"""

from .alexnet import AlexNetExplorer, AlexNetSettings
from .conv import ConvExplorer, ConvSettings
from .featuremap import FeatureMapExplorer, FeatureMapSettings
from .drawpad import DrawPadExplorer
from .im2col import Im2colExplorer, Im2colSettings
from .pool import PoolExplorer, PoolSettings

__all__ = ["ConvExplorer", "ConvSettings", "PoolExplorer", "PoolSettings"]
__all__ += ["Im2colExplorer", "Im2colSettings"]
__all__ += ["AlexNetExplorer", "AlexNetSettings"]
__all__ += ["FeatureMapExplorer", "FeatureMapSettings"]
__all__ += ["DrawPadExplorer"]
