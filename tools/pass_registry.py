"""Name -> pass-class factories for every intvit pass (used by intvit-opt and the xDSL universe).

It lists the passes of `passes/` and of the lowering core alike, so it sits above both, with the tools.

Factories import lazily so that `intvit-opt --help` and the xDSL plug-in stay fast.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.passes import ModulePass


def _canonicalize_intvit():
    from intvit.passes.canonicalize_intvit import CanonicalizeIntvitPass

    return CanonicalizeIntvitPass


def _import_torch():
    from intvit.passes.import_torch import ImportTorchPass

    return ImportTorchPass


def _calibrate():
    from intvit.passes.calibrate import CalibratePass

    return CalibratePass


def _quantize_to_intvit():
    from intvit.passes.quantize_to_intvit import QuantizeToIntvitPass

    return QuantizeToIntvitPass


def _convert_intvit_to_linalg():
    from intvit.lowering.convert_intvit_to_linalg import ConvertIntvitToLinalgPass

    return ConvertIntvitToLinalgPass


def _expand_intvit_helpers():
    from intvit.lowering.expand_intvit_helpers import ExpandIntvitHelpersPass

    return ExpandIntvitHelpersPass


def _verify_integer_only():
    from intvit.lowering.verify_integer_only import VerifyIntegerOnlyPass

    return VerifyIntegerOnlyPass


def _assign_precision():
    from intvit.passes.assign_precision import AssignPrecisionPass

    return AssignPrecisionPass


PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "canonicalize-intvit": _canonicalize_intvit,
    "import-torch": _import_torch,
    "calibrate": _calibrate,
    "quantize-to-intvit": _quantize_to_intvit,
    "convert-intvit-to-linalg": _convert_intvit_to_linalg,
    "expand-intvit-helpers": _expand_intvit_helpers,
    "verify-integer-only": _verify_integer_only,
    "assign-precision": _assign_precision,
}
