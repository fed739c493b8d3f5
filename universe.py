"""xDSL plug-in: stock `xdsl-opt` discovers the intvit dialects and passes through this Universe."""

from xdsl.universe import Universe


def _intvit_dialect():
    from intvit.dialects.intvit import Intvit

    return Intvit


def _helper_dialect():
    from intvit.dialects.intvit_helper import IntvitHelper

    return IntvitHelper


def _torch_dialect():
    from intvit.dialects.torch import Torch

    return Torch


def _all_passes():
    from intvit.passes.registry import PASSES  # factories are lazy: importing is cheap

    return PASSES


UNIVERSE = Universe(
    all_dialects={"intvit": _intvit_dialect, "torch": _torch_dialect,
                  "intvit_helper": _helper_dialect},
    all_passes=_all_passes(),
)
