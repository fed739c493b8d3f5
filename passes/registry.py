"""Name -> pass-class factories for every intvit pass (used by intvit-opt and the xDSL universe).

Factories import lazily so that `intvit-opt --help` and the xDSL plug-in stay fast.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass


def _canonicalize_intvit():
    from intvit.passes.canonicalize_intvit import CanonicalizeIntvitPass

    return CanonicalizeIntvitPass


PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "canonicalize-intvit": _canonicalize_intvit,
}
