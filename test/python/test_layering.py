"""The package's import graph, read with `ast` (module-level and function-level imports alike).

Imports run one way: tools -> runtime drivers -> targets (`lowering/<target>/`) -> lowering core
-> passes -> reference interpreter -> dialects -> numerics.  Checked here: no import cycle (a function-level import that
closes a cycle only hides it), no import upwards in that order, no target importing another
target or a target's internals imported from outside it (only the registry line in
`runtime/targets.py` names a target's `target` module), and no `_private` name imported from
another module.  A new target is one line in `TARGETS`.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "intvit"
SKIP_DIRS = {"test", "build", "dist", "notes", "shared"}

# Each target's package (below `intvit.`): one line per target.
TARGETS = (
    "lowering.llvm_cpu",
    "lowering.hls",
    "lowering.cuda",
)
# Top to bottom; a module belongs to the layer of its longest matching prefix.
LAYERS = (
    ("tools", ("tools", "universe")),
    ("runtime drivers", ("runtime",)),
    ("targets", TARGETS),
    ("lowering core", ("lowering",)),
    ("passes", ("passes",)),
    # the golden model run over intvit IR: targets use it for their reference vectors
    ("reference interpreter", ("runtime.interpreter",)),
    ("dialects", ("dialects",)),
    ("numerics", ("runtime.golden", "runtime.scales")),
)
# The only modules outside a target that may import it, and what they may import of it.
REGISTRY = "runtime.targets"
TARGET_ENTRY = "target"


def package_modules(root: Path = ROOT) -> dict[str, Path]:
    """Module name (without the `intvit.` prefix; "" for the root package) -> file."""
    modules = {}
    for path in root.rglob("*.py"):
        rel = path.relative_to(root)
        if rel.parts[0] in SKIP_DIRS or any(p.startswith(".") for p in rel.parts):
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".") if module else []
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _strip(name: str) -> str | None:
    if name == PACKAGE:
        return ""
    if name.startswith(PACKAGE + "."):
        return name[len(PACKAGE) + 1:]
    return None


def import_edges(modules: dict[str, Path]) -> list[tuple[str, str, str | None, int]]:
    """(importer, imported module, imported name or None, line) for every project import."""
    edges = []
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    target = _strip(alias.name)
                    if target is not None:
                        edges.append((module, target, None, node.lineno))
            elif isinstance(node, ast.ImportFrom):
                full = f"{PACKAGE}.{module}" if module else PACKAGE
                target = _strip(_resolve(full, is_package, node))
                if target is None:
                    continue
                for alias in node.names:
                    sub = f"{target}.{alias.name}" if target else alias.name
                    if sub in modules:
                        edges.append((module, sub, None, node.lineno))
                    else:
                        edges.append((module, target, alias.name, node.lineno))
    return edges


def layer_of(module: str) -> int:
    if module == "":  # the root package: a docstring and a version
        return 0
    best, best_len = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    if best is None:
        raise AssertionError(f"module intvit.{module} is in no layer: add its folder to LAYERS")
    return best


def target_of(module: str) -> str | None:
    for target in TARGETS:
        if module == target or module.startswith(target + "."):
            return target
    return None


def cycles(modules, edges) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), or a self-import."""
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for src, dst, _, _ in edges:
        if dst in graph:
            graph[src].add(dst)
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph[v]:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def layer_violations(edges) -> list[str]:
    bad = []
    for src, dst, line in sorted({(s, d, n) for s, d, _, n in edges}):
        if dst == "":
            continue
        where = f"intvit.{src}:{line} imports intvit.{dst}"
        src_layer, dst_layer = layer_of(src), layer_of(dst)
        if dst_layer < src_layer:
            bad.append(f"{where}: {LAYERS[src_layer][0]} -> {LAYERS[dst_layer][0]} (upwards)")
        src_target, dst_target = target_of(src), target_of(dst)
        if dst_target and src_target and src_target != dst_target:
            bad.append(f"{where}: a target imports another target")
        elif dst_target and not src_target and (src != REGISTRY or dst != f"{dst_target}.{TARGET_ENTRY}"):
            bad.append(f"{where}: only {REGISTRY} imports a target, and only its `{TARGET_ENTRY}` module")
    return bad


def private_imports(edges) -> list[str]:
    return [f"intvit.{src}:{line} imports the private name {name} from intvit.{dst}"
            for src, dst, name, line in edges
            if name and name.startswith("_") and not name.startswith("__") and src != dst]


# ------------------------------------------------------------------------------------------------

MODULES = package_modules()
EDGES = import_edges(MODULES)


def test_graph_is_read():
    # the walk sees the real package, including imports inside functions
    assert {"tools.intvit_main", "runtime.golden", "lowering.llvm_cpu.target", "dialects.intvit"} <= set(MODULES)
    assert any(src == "tools.intvit_main" and dst.startswith("runtime.") for src, dst, _, _ in EDGES)
    for module in MODULES:
        layer_of(module)


def test_no_import_cycle():
    found = cycles(MODULES, EDGES)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_imports_run_one_way():
    bad = layer_violations(EDGES)
    assert not bad, "\n".join(bad)


def test_no_private_name_crosses_a_module():
    bad = private_imports(EDGES)
    assert not bad, "\n".join(bad)


def test_numerics_import_nothing_of_the_project():
    numerics = dict(LAYERS)["numerics"]
    bad = [f"intvit.{s}:{line} imports intvit.{d}" for s, d, _, line in EDGES
           if s in numerics and d not in numerics]
    assert not bad, "\n".join(bad)


def test_checks_catch_what_they_forbid(tmp_path):
    """The checker itself on a small package with one of each fault."""
    files = {
        "__init__.py": "",
        "dialects/__init__.py": "",
        "dialects/a.py": "def f():\n    from intvit.passes.b import g\n",
        "passes/__init__.py": "",
        "passes/b.py": "from intvit.dialects.a import f, _hidden\n",
        "lowering/__init__.py": "",
        "lowering/llvm_cpu/__init__.py": "",
        "lowering/llvm_cpu/kernels.py": "X = 1\n",
        "lowering/llvm_cpu/target.py": "from .kernels import X\n",
        "runtime/__init__.py": "",
        "runtime/bench.py": "from intvit.lowering.llvm_cpu import kernels\n",
        "runtime/targets.py": "from intvit.lowering.llvm_cpu.target import X\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    modules = package_modules(tmp_path)
    edges = import_edges(modules)
    assert ("lowering.llvm_cpu.target", "lowering.llvm_cpu.kernels", "X", 1) in edges
    assert cycles(modules, edges) == [["dialects.a", "passes.b"]]
    bad = layer_violations(edges)
    assert any("intvit.dialects.a:2 imports intvit.passes.b: dialects -> passes" in b for b in bad)
    assert any("intvit.runtime.bench:1 imports intvit.lowering.llvm_cpu.kernels: only" in b for b in bad)
    assert not any(b.startswith("intvit.runtime.targets") for b in bad)
    assert private_imports(edges) == ["intvit.passes.b:1 imports the private name _hidden from intvit.dialects.a"]
