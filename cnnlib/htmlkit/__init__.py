"""The HTML kit: every style written once (:mod:`.style`), layout helpers (:mod:`.layout`) and the one
table renderer (:mod:`.grid`) — used by the explorers and by the tutor's reports.

Static HTML (the default) carries inline styles, which GitHub and JupyterLab's sanitizer keep; inside
``with style.live():`` the helpers write class names only, for a widget that loads the stylesheet once.
"""
