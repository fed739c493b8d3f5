"""C++ identifiers from the input (the entry function's name, `--top`): sanitized, then checked.

Sanitizing replaces every character outside `[A-Za-z0-9_]` with `_` (MLIR symbols may hold `.`,
`$`, `-`); what is still not a usable C++ name after that (empty, a leading digit, a keyword, a
name the C++ implementation reserves, a name the project itself defines) is refused with a
message naming the original, rather than renamed behind the user's back.
"""

from __future__ import annotations

import re

from intvit.lowering.target import TargetError

CPP_KEYWORDS = frozenset("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char8_t char16_t char32_t
class compl concept const consteval constexpr constinit const_cast continue co_await co_return co_yield
decltype default delete do double dynamic_cast else enum explicit export extern false float for friend
goto if inline int long mutable namespace new noexcept not not_eq nullptr operator or or_eq private
protected public register reinterpret_cast requires return short signed sizeof static static_assert
static_cast struct switch template this thread_local throw true try typedef typeid typename union
unsigned using virtual void volatile wchar_t while xor xor_eq
""".split())
# names the generated project defines or links against
PROJECT_NAMES = frozenset({"main", "intvit_nnet", "ap_int", "ap_uint", "ap_fixed", "std", "size_t"})


def sanitize(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", name)


def cpp_identifier(name: str, what: str) -> str:
    """`name` sanitized, or TargetError saying why it cannot be a C++ identifier."""
    ident = sanitize(name)
    why = None
    if not ident:
        why = "it is empty"
    elif ident[0].isdigit():
        why = "it starts with a digit"
    elif ident in CPP_KEYWORDS:
        why = "it is a C++ keyword"
    elif "__" in ident or re.match(r"_[A-Z]", ident):
        why = "C++ reserves names with '__' or starting with '_' and a capital"
    elif ident in PROJECT_NAMES:
        why = "the generated project already uses that name"
    if why:
        shown = f"'{name}'" + (f" (sanitized '{ident}')" if ident != name else "")
        raise TargetError(f"{what} {shown} is not a valid C++ identifier: {why}")
    return ident
