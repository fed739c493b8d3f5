"""xDSL plug-in: stock `xdsl-opt` discovers the intvit dialects and passes through this Universe."""

from xdsl.universe import Universe

from intvit.dialects.context import INTVIT_DIALECTS


def _all_passes():
    from intvit.tools.pass_registry import PASSES  # factories are lazy: importing is cheap

    return PASSES


UNIVERSE = Universe(
    all_dialects=INTVIT_DIALECTS,
    all_passes=_all_passes(),
)
