"""Draw and write the per-layer error report: sqnr.png, hist_NN.png, report.md, report.html, report.json.

Plots use matplotlib's Agg backend (no display).  The SQNR figure has one bar per quantized
tensor in program order (colour = intvit op) beside its clipping rate; each histogram page shows
the FP32 values of up to twelve tensors on a log count axis with the representable range shaded
(PTQ4ViT's twin ranges in two colours) and the values that fall outside it in red.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import numpy as np

from intvit.runtime.error_report import TensorError

OP_COLORS = {"quantize": "#7f7f7f", "requant": "#1f77b4", "matmul": "#9467bd", "shiftmax": "#d62728",
             "shiftgelu": "#ff7f0e", "layernorm": "#2ca02c", "add": "#8c564b"}
RANGE_COLORS = ("#2ca02c", "#ff7f0e")
PER_PAGE = 12


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def row_label(r: TensorError) -> str:
    kind = f"{'u' if r.unsigned else 'i'}{r.bits}"
    return f"{r.name} · {r.op} {kind}" + (" (output)" if r.is_output else "")


def plot_sqnr(rows: list[TensorError], path: Path, images: int) -> None:
    plt = _pyplot()
    finite = [r.sqnr_db for r in rows if math.isfinite(r.sqnr_db)]
    cap = (max(finite) if finite else 0.0) + 5.0
    sqnr = [r.sqnr_db if math.isfinite(r.sqnr_db) else cap for r in rows]
    y = np.arange(len(rows))
    fig, (ax, ax_clip) = plt.subplots(1, 2, sharey=True, figsize=(12, 1.6 + 0.24 * len(rows)),
                                      gridspec_kw={"width_ratios": [3, 1.3]})
    colors = [OP_COLORS.get(r.op, "#17becf") for r in rows]
    ax.barh(y, sqnr, color=colors)
    for i, (r, v) in enumerate(zip(rows, sqnr)):
        ax.text(v + 0.3, i, "∞" if not math.isfinite(r.sqnr_db) else f"{r.sqnr_db:.1f}", va="center", fontsize=7)
    ax.set_yticks(y, [row_label(r) for r in rows], fontsize=7)
    ax.set_xlabel("SQNR against FP32 (dB, higher is better)")
    ax.set_title(f"Per-tensor SQNR over {images} images (program order, top to bottom)")
    ax.grid(axis="x", alpha=0.3)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for op, c in OP_COLORS.items() if any(r.op == op for r in rows)]
    ax.legend(handles, [op for op in OP_COLORS if any(r.op == op for r in rows)], loc="lower right", fontsize=7,
              title="intvit op", title_fontsize=7)
    clip = [100.0 * r.clip_rate for r in rows]
    ax_clip.barh(y, clip, color="#d62728")
    for i, v in enumerate(clip):
        if v > 0:
            ax_clip.text(v, i, f" {v:.2g}%", va="center", fontsize=6)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax_clip.set_xlim(0, max(max(clip, default=0.0) * 1.35, 0.01))
    ax_clip.set_xlabel("FP32 values outside the range (%)")
    ax_clip.set_title("Clipping rate")
    ax_clip.grid(axis="x", alpha=0.3)
    height = 1.6 + 0.24 * len(rows)  # fixed margins: tight_layout measures every label, slowly
    fig.subplots_adjust(left=0.24, right=0.97, top=1 - 0.45 / height, bottom=0.6 / height, wspace=0.06)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _histogram(ax, r: TensorError) -> None:
    from matplotlib.ticker import NullLocator

    values = np.concatenate(r.samples) if r.samples else np.zeros(1, np.float32)
    lo, hi = r.bounds
    span = (r.fp_max - r.fp_min) or 1.0
    # an int32 accumulator's range dwarfs its values: zoom to the data and say where the range ends
    zoomed = (hi - lo) > 8 * span
    left, right = (r.fp_min, r.fp_max) if zoomed else (min(r.fp_min, lo), max(r.fp_max, hi))
    pad = 0.03 * (right - left or 1.0)
    bins = np.linspace(left - pad, right + pad, 121)
    inside = (values >= lo) & (values <= hi)
    # one filled step patch per series (not one bar per bin): a 12-panel page draws in well under a second
    ax.stairs(np.histogram(values[inside], bins)[0], bins, fill=True, color="#1f77b4", label="FP32 values")
    if not inside.all():
        ax.stairs(np.histogram(values[~inside], bins)[0], bins, fill=True, color="#d62728", label="outside the range")
    ax.set_yscale("log")
    ax.set_ylim(bottom=0.8)
    ax.yaxis.set_minor_locator(NullLocator())  # minor log ticks cost more than the rest of the page
    for color, qr in zip(RANGE_COLORS, r.ranges):
        a, b = float(qr.lo.min()), float(qr.hi.max())
        label = qr.label + (" (widest channel)" if qr.lo.size > 1 else "")
        if zoomed:
            label += f": [{a:.3g}, {b:.3g}], off the axis"
        ax.axvspan(a, b, color=color, alpha=0.12, label=label)
        ax.axvline(a, color=color, lw=1, ls="--")
        ax.axvline(b, color=color, lw=1, ls="--")
    ax.set_xlim(left - pad, right + pad)
    ax.set_title(f"{r.name} · {r.op} {'u' if r.unsigned else 'i'}{r.bits}\n"
                 f"SQNR {r.sqnr_db:.1f} dB, clip {100 * r.clip_rate:.3g}%", fontsize=8)
    ax.set_xlabel("FP32 value", fontsize=7)
    ax.set_ylabel("count (log)", fontsize=7)
    ax.tick_params(labelsize=6)
    ax.legend(fontsize=5.5, loc="upper right")


def plot_histograms(rows: list[TensorError], folder: Path) -> list[str]:
    """Pages of histograms for the tensors whose range can clip: codes of at most 16 bits (an
    int32 accumulator or LayerNorm output never clips; its rows stay in the table and bars)."""
    plt = _pyplot()
    rows = [r for r in rows if r.bits <= 16]
    names = []
    for page, start in enumerate(range(0, len(rows), PER_PAGE), 1):
        chunk = rows[start:start + PER_PAGE]
        cols = 3
        nrows = math.ceil(len(chunk) / cols)
        fig, axes = plt.subplots(nrows, cols, figsize=(13, 3.1 * nrows), squeeze=False)
        for ax, r in zip(axes.ravel(), chunk):
            _histogram(ax, r)
        for ax in axes.ravel()[len(chunk):]:
            ax.axis("off")
        fig.suptitle(f"FP32 activation histograms with the quantization range (tensors {start + 1}-{start + len(chunk)})",
                     fontsize=10)
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.22 / nrows, top=1 - 0.28 / nrows, hspace=0.75, wspace=0.25)
        name = f"hist_{page:02d}.png"
        fig.savefig(folder / name, dpi=90)
        plt.close(fig)
        names.append(name)
    return names


def _scale_text(r: TensorError) -> str:
    s = np.abs(r.scale)
    return f"{s[0]:.4g}" if s.size == 1 else f"{s.min():.3g}..{s.max():.3g} ({s.size} ch)"


def row_dict(r: TensorError) -> dict:
    lo, hi = r.bounds
    return {"index": r.key, "tensor": r.name, "op": r.op, "shape": r.shape, "bits": r.bits, "unsigned": r.unsigned,
            "scale": [float(v) for v in r.scale] if r.scale.size > 1 else float(r.scale[0]),
            "sqnr_db": r.sqnr_db if math.isfinite(r.sqnr_db) else None, "cosine": r.cosine,
            "clip_rate": r.clip_rate, "fp32_min": r.fp_min, "fp32_max": r.fp_max, "range": [lo, hi],
            "ranges": [{"label": q.label, "lo": float(q.lo.min()), "hi": float(q.hi.max())} for q in r.ranges],
            "output": r.is_output}


def _table(rows: list[TensorError]) -> list[list[str]]:
    out = []
    for i, r in enumerate(rows, 1):
        lo, hi = r.bounds
        out.append([str(i), r.name + (" (output)" if r.is_output else ""), r.op, "x".join(map(str, r.shape)),
                    f"{'u' if r.unsigned else 'i'}{r.bits}", _scale_text(r),
                    "∞" if not math.isfinite(r.sqnr_db) else f"{r.sqnr_db:.2f}", f"{r.cosine:.5f}",
                    f"{100 * r.clip_rate:.3g}", f"[{r.fp_min:.4g}, {r.fp_max:.4g}]", f"[{lo:.4g}, {hi:.4g}]"])
    return out


HEADER = ["#", "tensor", "op", "shape", "bits", "scale", "SQNR dB", "cosine", "clip %", "FP32 min, max",
          "representable"]


def _findings(rows: list[TensorError]) -> list[str]:
    worst = sorted(rows, key=lambda r: r.sqnr_db)[:3]
    clip = sorted((r for r in rows if r.clipped), key=lambda r: -r.clip_rate)[:3]
    lines = ["lowest SQNR: " + ", ".join(f"{r.name} ({r.op}) {r.sqnr_db:.1f} dB" for r in worst)]
    lines.append("most clipped: " + (", ".join(f"{r.name} ({r.op}) {100 * r.clip_rate:.3g}%" for r in clip)
                                     if clip else "no FP32 value falls outside its tensor's range"))
    return lines


def write_markdown(path: Path, title: str, summary: list[str], rows: list[TensorError], hists: list[str]) -> None:
    lines = [f"# {title}", "", *[f"- {s}" for s in summary], *[f"- {f}" for f in _findings(rows)], "",
             "## SQNR and clipping per tensor", "", "![per-tensor SQNR and clipping rate](sqnr.png)", "",
             "## Tensors", "", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in _table(rows)]
    lines += ["", "## FP32 histograms and quantization ranges", ""]
    lines += [f"![histograms page {i}]({h})" for i, h in enumerate(hists, 1)]
    path.write_text("\n".join(lines) + "\n")


def write_html(path: Path, title: str, summary: list[str], rows: list[TensorError], hists: list[str]) -> None:
    esc = html.escape
    head = "".join(f"<th>{esc(h)}</th>" for h in HEADER)
    body = "\n".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in _table(rows))
    items = "".join(f"<li>{esc(s)}</li>" for s in [*summary, *_findings(rows)])
    images = "\n".join(f'<p><img src="{esc(h)}" alt="histograms page {i}"></p>' for i, h in enumerate(hists, 1))
    path.write_text(f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}} table{{border-collapse:collapse;font-size:12px}}
td,th{{border:1px solid #ccc;padding:2px 6px;text-align:right}} td:nth-child(2),td:nth-child(3){{text-align:left}}
img{{max-width:100%}}</style></head>
<body><h1>{esc(title)}</h1><ul>{items}</ul>
<h2>SQNR and clipping per tensor</h2><p><img src="sqnr.png" alt="per-tensor SQNR and clipping rate"></p>
<h2>Tensors</h2><table><tr>{head}</tr>
{body}
</table>
<h2>FP32 histograms and quantization ranges</h2>
{images}
</body></html>
""")


def render(folder: Path, title: str, summary: list[str], rows: list[TensorError], images: int) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    plot_sqnr(rows, folder / "sqnr.png", images)
    hists = plot_histograms(rows, folder)
    write_markdown(folder / "report.md", title, summary, rows, hists)
    write_html(folder / "report.html", title, summary, rows, hists)
    (folder / "report.json").write_text(json.dumps({"title": title, "images": images,
                                                    "tensors": [row_dict(r) for r in rows]}, indent=1))
    return ["report.md", "report.html", "report.json", "sqnr.png", *hists]
