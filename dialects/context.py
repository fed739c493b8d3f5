"""The xDSL context every intvit tool parses with: upstream dialects plus intvit (and torch)."""

from __future__ import annotations

from pathlib import Path

from xdsl.context import Context
from xdsl.dialects import get_all_dialects
from xdsl.dialects.builtin import ModuleOp


def make_context(allow_unregistered: bool = False) -> Context:
    ctx = Context(allow_unregistered=allow_unregistered)
    for name, factory in get_all_dialects().items():
        ctx.register_dialect(name, factory)
    from intvit.universe import UNIVERSE

    for name, factory in UNIVERSE.all_dialects.items():
        if name not in ctx.registered_dialect_names:
            ctx.register_dialect(name, factory)
    return ctx


def parse_module(text: str | bytes, name: str = "<string>", ctx: Context | None = None) -> ModuleOp:
    """Parse and verify; every op carries its file:line:col for diagnostics."""
    from intvit.dialects.located_parser import parse_located
    from intvit.dialects.located_verify import verify_located

    module = parse_located(ctx or make_context(), text, name)
    verify_located(module)
    return module


def load_module(path: str | Path, ctx: Context | None = None) -> ModuleOp:
    path = Path(path)
    return parse_module(path.read_bytes(), str(path), ctx)  # bytes: a non-UTF-8 byte gets a location
