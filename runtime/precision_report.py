"""What a precision search chose, read back from the quantized intvit module: the weight width of
every GEMM (or its 4/8-bit row mix) and the model's weight bytes, for `import` and `eval`."""

from __future__ import annotations


def weight_bytes(module) -> int:
    """Model size: every GEMM weight at its width (4/6/8 bits packed) plus its int32 bias."""
    from intvit.passes.quantize.precision_search import module_weight_bytes

    return module_weight_bytes(module)


def layer_widths(module) -> list[int | dict]:
    """The weight width of every constant-weight GEMM, in program order (the search's choice):
    bits, or for a Quasar-ViT row mix `{"rows_4bit": n4, "rows_8bit": n8}`."""
    from intvit.dialects import intvit as iv

    widths: list[int | dict] = []
    for op in module.walk():
        if not isinstance(op, iv.MatmulOp) or op.rhs.owner.name != "arith.constant":
            continue
        if op.packing is not None:
            rows = list(op.packing.row_bits.get_values())
            widths.append({"rows_4bit": rows.count(4), "rows_8bit": rows.count(8)})
        else:
            attr = op.attributes.get("intvit.weight_bits")
            widths.append(int(attr.value.data) if attr is not None else 8)
    return widths


def format_widths(widths: list[int | dict]) -> str:
    return "[" + ", ".join(str(w) if isinstance(w, int) else f"4/8:{w['rows_8bit']}/{w['rows_4bit'] + w['rows_8bit']}"
                           for w in widths) + "]"


def search_summary(module, search) -> dict:
    """The JSON keys `import` and `eval` report for a `frontend.PrecisionSearch` (or None)."""
    return {"size_budget": search.size_budget if search else None,
            "fps_budget": search.fps_budget if search else None,
            "granularity": search.granularity if search else None,
            "fps_estimate": search.estimated_fps(module) if search and search.fps_budget is not None else None,
            "weight_bytes": weight_bytes(module), "precision": layer_widths(module)}
