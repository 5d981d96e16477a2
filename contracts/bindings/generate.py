"""Generate the typed Python bindings from the committed artifacts' ABIs.

`python -m contracts.bindings.generate` writes, into `contracts/bindings/`:
- `structs.py`: a frozen dataclass per Solidity struct (`IMarket.Order` -> `Order`);
- `errors.py`: an exception class per custom error, a subclass of `ContractRevert` with the
  error's arguments as typed attributes (`decode_revert` raises these);
- one module per deployable contract (`Market` -> `market.py`): a class whose methods are
  the contract's functions (views return typed values, the others take `sender=` and
  return the receipt) and a dataclass per event with a method reading them from a receipt.

`--check` writes nothing and exits 1 if the committed files differ from a fresh render.
The output is deterministic (sorted, no timestamps) and ruff/mypy clean as written.
"""

from __future__ import annotations

import argparse
import builtins
import hashlib
import json
import keyword
import re
import sys
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils import function_signature_to_4byte_selector

from contracts.paths import ARTIFACTS_DIR, CONTRACTS_DIR

BINDINGS_DIR = CONTRACTS_DIR / "bindings"
HAND_WRITTEN = frozenset({"__init__.py", "base.py", "generate.py"})
LINE = 100

AbiParam = dict[str, Any]
AbiEntry = dict[str, Any]


class GenerateError(Exception):
    """The ABIs cannot be bound as they are (a name clash, an unsupported type)."""


# -- names ----------------------------------------------------------------------------------
def snake(name: str) -> str:
    """`balanceOf` -> `balance_of`, `DEFAULT_ADMIN_ROLE` -> `default_admin_role`."""
    trailing = "_" if name.endswith("_") else ""
    core = name.strip("_")
    core = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", core)
    core = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", core)
    return core.lower() + trailing


# Names a generated parameter or attribute must not take. Arguments also avoid builtins,
# which the conversions call (`int(value)`); errors keep `ContractRevert`'s attributes.
FIELD_RESERVED = frozenset({"from_abi", "to_abi"})
ARG_RESERVED = frozenset(dir(builtins)) | {"self", "cls", "sender", "chain", "returned"}
ERROR_RESERVED = frozenset(dir(builtins)) | {
    "self",
    "cls",
    "name",
    "args",
    "args_",
    "data",
    "SELECTOR",
    "from_revert",
}


def py_names(params: Sequence[AbiParam], reserved: frozenset[str]) -> list[str]:
    """Python identifiers for ABI parameters: snake case without Solidity's shadowing
    underscores, never a keyword or a reserved name, unique within the list."""
    out: list[str] = []
    for index, param in enumerate(params):
        name = snake(str(param["name"])).strip("_") or f"arg{index}"
        while keyword.iskeyword(name) or name in reserved or name in out:
            name += "_"
        out.append(name)
    return out


def named(
    params: Sequence[AbiParam], reserved: frozenset[str] = ARG_RESERVED
) -> list[tuple[str, AbiParam]]:
    return list(zip(py_names(params, reserved), params, strict=True))


def literal(text: str) -> str:
    """A string literal in double quotes, as ruff format writes it."""
    return json.dumps(text)


def _item_expr(index: int, name: str) -> str:
    return f"item(value, {index}, {literal(name)})"


def _arg_expr(name: str) -> str:
    return f"args[{literal(name)}]"


def module_name(contract: str) -> str:
    return snake(contract)


# -- types -----------------------------------------------------------------------------------
def _array_element(param: AbiParam) -> AbiParam | None:
    kind: str = param["type"]
    if not kind.endswith("]"):
        return None
    return {**param, "type": kind[: kind.rindex("[")]}


def struct_name(param: AbiParam) -> str:
    # internalType "struct IMarket.Order[]" -> "Order"
    internal: str = param.get("internalType", "")
    if not internal.startswith("struct "):
        raise GenerateError(f"tuple parameter {param.get('name')!r} has no struct name")
    return internal.removeprefix("struct ").split("[")[0].split(".")[-1]


def abi_type(param: AbiParam) -> str:
    """The canonical ABI type string, as used in selectors: tuples spelled out."""
    kind: str = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(abi_type(c) for c in param["components"])
        return f"({inner}){kind[5:]}"
    return kind


def _base(kind: str) -> str:
    if kind == "address" or kind == "string":
        return "str"
    if kind == "bool":
        return "bool"
    if kind.startswith(("uint", "int")):
        return "int"
    if kind.startswith("bytes"):
        return "bytes"
    raise GenerateError(f"unsupported ABI type {kind}")


def py_type(param: AbiParam, *, for_input: bool = False) -> str:
    """The annotation: `list[...]` for returned arrays, `Sequence[...]` for arguments."""
    element = _array_element(param)
    if element is not None:
        outer = "Sequence" if for_input else "list"
        return f"{outer}[{py_type(element, for_input=for_input)}]"
    if param["type"] == "tuple":
        return struct_name(param)
    return _base(param["type"])


def from_abi(param: AbiParam, expr: str, depth: int = 0) -> str:
    """An expression turning the ABI value `expr` (typed Any) into the annotated type."""
    element = _array_element(param)
    if element is not None:
        var = f"x{depth}"
        return f"[{from_abi(element, var, depth + 1)} for {var} in {expr}]"
    if param["type"] == "tuple":
        return f"{struct_name(param)}.from_abi({expr})"
    return f"{_base(param['type'])}({expr})"


def to_abi(param: AbiParam, expr: str, depth: int = 0) -> str:
    """An expression turning the typed value `expr` into what web3 encodes."""
    element = _array_element(param)
    if element is not None:
        var = f"x{depth}"
        inner = to_abi(element, var, depth + 1)
        return f"list({expr})" if inner == var else f"[{inner} for {var} in {expr}]"
    if param["type"] == "tuple":
        return f"{expr}.to_abi()"
    if param["type"] == "address":
        return f"to_address({expr})"
    return expr


def _uses(params: Iterable[AbiParam], predicate: Any) -> bool:
    for p in params:
        if predicate(p):
            return True
        if "components" in p and _uses(p["components"], predicate):
            return True
    return False


def _is_input_array(p: AbiParam) -> bool:
    return str(p["type"]).endswith("]")


# -- layout helpers ---------------------------------------------------------------------------
def call_lines(head: str, args: Sequence[str], tail: str, indent: str) -> list[str]:
    """`head(arg, arg)tail` on one line if it fits, else one argument per line."""
    one = f"{indent}{head}({', '.join(args)}){tail}"
    if len(one) <= LINE:
        return [one]
    inner = indent + "    "
    return [f"{indent}{head}(", *(f"{inner}{a}," for a in args), f"{indent}){tail}"]


def def_lines(name: str, params: Sequence[str], returns: str, indent: str) -> list[str]:
    one = f"{indent}def {name}({', '.join(params)}) -> {returns}:"
    if len(one) <= LINE:
        return [one]
    inner = indent + "    "
    return [f"{indent}def {name}(", *(f"{inner}{p}," for p in params), f"{indent}) -> {returns}:"]


def docstring(text: str, indent: str) -> list[str]:
    line = f'{indent}"""{text}"""'
    if len(line) <= LINE:
        return [line]
    wrapped = textwrap.wrap(text, LINE - len(indent), break_long_words=False)
    return [f'{indent}"""', *(f"{indent}{w}" for w in wrapped), f'{indent}"""']


def _shown_type(param: AbiParam) -> str:
    # for people: a struct by its name (`Order[]`), the rest as in the ABI
    kind = str(param["type"])
    if kind.startswith("tuple"):
        return struct_name(param) + kind[5:]
    return kind


def _signature_text(entry: AbiEntry) -> str:
    params = ", ".join(f"{_shown_type(p)} {p['name']}".strip() for p in entry["inputs"])
    return f"{entry['name']}({params})"


HEADER = (
    "# Generated from contracts/artifacts/{source}\n"
    "# by `python -m contracts.bindings.generate`. Do not edit: change the contract, rebuild,\n"
    "# regenerate.\n"
)


# -- structs ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Struct:
    name: str
    qualified: str
    components: tuple[AbiParam, ...]


def collect_structs(abis: Iterable[Sequence[AbiEntry]]) -> dict[str, Struct]:
    found: dict[str, Struct] = {}

    def visit(param: AbiParam) -> None:
        if not str(param["type"]).startswith("tuple"):
            return
        name = struct_name(param)
        qualified = str(param["internalType"]).removeprefix("struct ").split("[")[0]
        struct = Struct(name, qualified, tuple(param["components"]))
        known = found.get(name)
        if known is not None and abi_type({"type": "tuple", "components": known.components}) != (
            abi_type({"type": "tuple", "components": struct.components})
        ):
            raise GenerateError(f"two structs are named {name}: {known.qualified}, {qualified}")
        found.setdefault(name, struct)
        for c in param["components"]:
            visit(c)

    for abi in abis:
        for entry in abi:
            for p in [*entry.get("inputs", []), *entry.get("outputs", [])]:
                visit(p)
    return dict(sorted(found.items()))


def _module_head(source: str, doc: list[str], *groups: list[str]) -> list[str]:
    """A generated module's first lines: the header naming its source, the docstring, then
    the import groups (empty ones left out), each after a blank line."""
    lines = [
        HEADER.format(source=source).rstrip("\n"),
        *doc,
        "",
        "from __future__ import annotations",
    ]
    for group in groups:
        if group:
            lines += ["", *group]
    return lines


def render_structs(structs: dict[str, Struct]) -> str:
    params = [c for s in structs.values() for c in s.components]
    imports = ["from dataclasses import dataclass", "from typing import Any"]
    if _uses(params, _is_input_array):
        imports.insert(0, "from collections.abc import Sequence")
    base = ["item"]
    if _uses(params, lambda p: p["type"] == "address"):
        base.append("to_address")
    lines = _module_head(
        "*.json",
        ['"""The contracts\' structs as frozen dataclasses (ABI tuples in field order)."""'],
        imports,
        [f"from contracts.bindings.base import {', '.join(base)}"],
    )
    for s in structs.values():
        fields = named(s.components, FIELD_RESERVED)
        lines += ["", "", "@dataclass(frozen=True)", f"class {s.name}:"]
        lines += docstring(f"`{s.qualified}`", "    ")
        lines.append("")
        lines += [f"    {n}: {py_type(c, for_input=_is_input_array(c))}" for n, c in fields]
        lines += ["", "    @classmethod", f"    def from_abi(cls, value: Any) -> {s.name}:"]
        args = [f"{n}={from_abi(c, _item_expr(i, c['name']))}" for i, (n, c) in enumerate(fields)]
        lines += call_lines("return cls", args, "", "        ")
        lines += ["", "    def to_abi(self) -> tuple[Any, ...]:"]
        values = [to_abi(c, f"self.{n}") for n, c in fields]
        one = f"        return ({', '.join(values)}{',' if len(values) == 1 else ''})"
        if len(one) <= LINE:
            lines.append(one)
        else:
            lines += ["        return (", *(f"            {v}," for v in values), "        )"]
    return "\n".join(lines) + "\n"


# -- errors -----------------------------------------------------------------------------------
def collect_errors(abis: Iterable[Sequence[AbiEntry]]) -> dict[str, AbiEntry]:
    found: dict[str, AbiEntry] = {}
    for abi in abis:
        for entry in abi:
            if entry["type"] != "error":
                continue
            known = found.get(entry["name"])
            if known is not None and [abi_type(p) for p in known["inputs"]] != [
                abi_type(p) for p in entry["inputs"]
            ]:
                raise GenerateError(f"two custom errors are named {entry['name']}")
            found.setdefault(entry["name"], entry)
    return dict(sorted(found.items()))


def selector(entry: AbiEntry) -> bytes:
    types = ",".join(abi_type(p) for p in entry["inputs"])
    return bytes(function_signature_to_4byte_selector(f"{entry['name']}({types})"))


def render_errors(errors: dict[str, AbiEntry], structs: dict[str, Struct]) -> str:
    params = [p for e in errors.values() for p in e["inputs"]]
    used_structs = sorted({struct_name(p) for p in params if str(p["type"]).startswith("tuple")})
    own = (
        [f"from contracts.bindings.structs import {', '.join(used_structs)}"]
        if used_structs
        else []
    )
    lines = _module_head(
        "*.json",
        [
            '"""Every custom error of the contracts as a `ContractRevert` subclass.',
            "",
            "`contracts.errors.decode_revert` returns these, so "
            "`except MarketReadingConflict as e`",
            'reads `e.interval` etc.; `e.name` and `e.args_` work as for any `ContractRevert`."""',
        ],
        ["from collections.abc import Callable", "from typing import ClassVar"],
        [*own, "from contracts.errors import ContractRevert"],
    )
    for name, entry in errors.items():
        fields = named(entry["inputs"], ERROR_RESERVED)
        lines += ["", "", f"class {name}(ContractRevert):"]
        lines += docstring(f"`{_signature_text(entry)}`", "    ")
        lines += [
            "",
            f'    SELECTOR: ClassVar[bytes] = bytes.fromhex("{selector(entry).hex()}")',
            "",
        ]
        params = ["self", *(f"{n}: {py_type(p)}" for n, p in fields), "*", 'data: bytes = b""']
        lines += def_lines("__init__", params, "None", "    ")
        values = [n for n, _ in fields]
        tuple_text = f"({', '.join(values)}{',' if len(values) == 1 else ''})"
        lines += call_lines("super().__init__", [literal(name), tuple_text, "data"], "", "        ")
        lines += [f"        self.{n} = {n}" for n, _ in fields]
        lines += [
            "",
            "    @classmethod",
            f"    def from_revert(cls, revert: ContractRevert) -> {name}:",
        ]
        args = [from_abi(p, f"revert.args_[{i}]") for i, (_, p) in enumerate(fields)]
        lines += call_lines("return cls", [*args, "data=revert.data"], "", "        ")
    lines += [
        "",
        "",
        "# selector -> the typed exception built from a decoded `ContractRevert`",
        "BY_SELECTOR: dict[bytes, Callable[[ContractRevert], ContractRevert]] = {",
        *(f"    {name}.SELECTOR: {name}.from_revert," for name in errors),
        "}",
    ]
    return "\n".join(lines) + "\n"


# -- contracts --------------------------------------------------------------------------------
def _class_body_names() -> set[str]:
    return {"address", "contract", "chain", "function", "deploy", "ARTIFACT", "ABI_HASH"}


def abi_hash(abi: Sequence[AbiEntry]) -> str:
    # the same canonical form as `Artifact.abi_hash`
    canonical = json.dumps(abi, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def event_class(event: str, taken: set[str]) -> str:
    """An event's class name: its own, unless a struct or a contract class has it."""
    return f"{event}Event" if event in taken else event


def collect_events(abis: Iterable[Sequence[AbiEntry]]) -> dict[str, AbiEntry]:
    """Every event of the bound contracts, once: OpenZeppelin's `Transfer` or
    `RoleGranted` is the same event in every contract that emits it."""
    found: dict[str, AbiEntry] = {}
    for abi in abis:
        for entry in abi:
            if entry["type"] != "event":
                continue
            known = found.setdefault(entry["name"], entry)
            if [abi_type(p) for p in known["inputs"]] != [abi_type(p) for p in entry["inputs"]]:
                raise GenerateError(f"two events are named {entry['name']} with other arguments")
    return dict(sorted(found.items()))


def render_events(events: dict[str, AbiEntry], taken: set[str]) -> str:
    params = [p for e in events.values() for p in e["inputs"]]
    used_structs = sorted({struct_name(p) for p in params if _element_type(p) == "tuple"})
    lines = _module_head(
        "*.json",
        ['"""The contracts\' events as frozen dataclasses, read from receipts by the bindings."""'],
        [
            "from collections.abc import Mapping",
            "from dataclasses import dataclass",
            "from typing import Any",
        ],
        import_lines("contracts.bindings.structs", used_structs) if used_structs else [],
    )
    for ev in events.values():
        cls = event_class(ev["name"], taken)
        fields = named(ev["inputs"], FIELD_RESERVED)
        lines += ["", "", "@dataclass(frozen=True)", f"class {cls}:"]
        lines += docstring(f"`event {_signature_text(ev)}`", "    ")
        if fields:
            lines.append("")
            lines += [f"    {n}: {py_type(p)}" for n, p in fields]
        lines += ["", "    @classmethod"]
        lines.append(f"    def from_abi(cls, args: Mapping[str, Any]) -> {cls}:")
        values = [f"{n}={from_abi(p, _arg_expr(p['name']))}" for n, p in fields]
        lines += call_lines("return cls", values, "", "        ")
    return "\n".join(lines) + "\n"


def import_lines(module: str, names: Sequence[str]) -> list[str]:
    one = f"from {module} import {', '.join(names)}"
    if len(one) <= LINE:
        return [one]
    return [f"from {module} import (", *(f"    {n}," for n in names), ")"]


def function_lines(fn: AbiEntry, method: str) -> list[str]:
    """A method for one contract function: views call, the others send."""
    args = named(fn["inputs"])
    sig = ["self", *(f"{a}: {py_type(p, for_input=True)}" for a, p in args)]
    values = [literal(fn["name"]), *(to_abi(p, a) for a, p in args)]
    outputs = fn["outputs"]
    text = f"`{_signature_text(fn)}`"
    lines = [""]
    if fn["stateMutability"] not in ("view", "pure"):
        lines += def_lines(method, [*sig, "*", "sender: LocalAccount"], "TxReceipt", "    ")
        lines += docstring(f"Send {text}.", "        ")
        lines += call_lines("return self._send", ["sender", *values], "", "        ")
        return lines
    if len(outputs) == 1:
        lines += def_lines(method, sig, py_type(outputs[0]), "    ")
        lines += docstring(f"Call {text}.", "        ")
        lines += call_lines("returned = self._call", values, "", "        ")
        lines.append(f"        return {from_abi(outputs[0], 'returned')}")
        return lines
    returns = f"tuple[{', '.join(py_type(o) for o in outputs)}]"
    lines += def_lines(method, sig, returns, "    ")
    lines += docstring(f"Call {text}.", "        ")
    lines += call_lines("returned = self._call", values, "", "        ")
    items = [from_abi(o, f"returned[{i}]") for i, o in enumerate(outputs)]
    lines += call_lines("return ", items, "", "        ")
    return lines


# OpenZeppelin's function sets that several contracts inherit: bound once, in common.py.
COMMON_GROUPS = {
    "AccessControlFunctions": (
        "DEFAULT_ADMIN_ROLE",
        "getRoleAdmin",
        "grantRole",
        "hasRole",
        "renounceRole",
        "revokeRole",
        "supportsInterface",
    ),
    "ERC20Functions": (
        "allowance",
        "approve",
        "balanceOf",
        "decimals",
        "name",
        "symbol",
        "totalSupply",
        "transfer",
        "transferFrom",
    ),
    "PausableFunctions": ("pause", "paused", "unpause"),
}


def collect_groups(abis: Iterable[Sequence[AbiEntry]]) -> dict[str, list[AbiEntry]]:
    """Each common group with the ABI entries of the first contract that has all of it."""
    found: dict[str, list[AbiEntry]] = {}
    for abi in abis:
        by_name = {e["name"]: e for e in abi if e["type"] == "function"}
        for group, names in COMMON_GROUPS.items():
            if group not in found and all(n in by_name for n in names):
                found[group] = [by_name[n] for n in sorted(names)]
    return found


def _has_group(functions: Sequence[AbiEntry], group: Sequence[AbiEntry]) -> bool:
    """The contract has every function of the group, with the same ABI."""
    canonical = {json.dumps(f, sort_keys=True) for f in functions}
    return all(json.dumps(f, sort_keys=True) in canonical for f in group)


def render_common(groups: dict[str, list[AbiEntry]]) -> str:
    functions = [f for group in groups.values() for f in group]
    base = ["BoundContract"]
    if any(_element_type(p) == "address" for f in functions for p in f["inputs"]):
        base.append("to_address")
    lines = _module_head(
        "*.json",
        ['"""Function sets several contracts inherit from OpenZeppelin, bound once."""'],
        ["from eth_account.signers.local import LocalAccount", "from web3.types import TxReceipt"],
        [f"from contracts.bindings.base import {', '.join(base)}"],
    )
    for group, entries in groups.items():
        lines += ["", "", f"class {group}(BoundContract):"]
        lines += docstring(f"The {group.removesuffix('Functions')} functions.", "    ")
        for fn in entries:
            lines += function_lines(fn, snake(fn["name"]))
    return "\n".join(lines) + "\n"


def render_contract(
    name: str,
    abi: Sequence[AbiEntry],
    structs: dict[str, Struct],
    event_taken: set[str],
    groups: dict[str, list[AbiEntry]] | None = None,
) -> str:
    groups = groups or {}
    functions = sorted((e for e in abi if e["type"] == "function"), key=lambda e: e["name"])
    events = sorted((e for e in abi if e["type"] == "event"), key=lambda e: e["name"])
    constructor = next((e for e in abi if e["type"] == "constructor"), None)
    for kind, entries in (("function", functions), ("event", events)):
        names = [e["name"] for e in entries]
        if len(names) != len(set(names)):
            raise GenerateError(f"{name} overloads a {kind}: bindings need unique names")
    params = [p for e in abi for p in [*e.get("inputs", []), *e.get("outputs", [])]]
    # nested structs are converted inside structs.py: import only the top-level ones
    used_structs = sorted({struct_name(p) for p in params if _element_type(p) == "tuple"})
    event_classes = {e["name"]: event_class(e["name"], event_taken) for e in events}
    method_names: set[str] = set()
    body: list[str] = []

    def claim(method: str) -> str:
        if method in method_names or method in _class_body_names():
            raise GenerateError(f"{name}: two members would be named {method}")
        method_names.add(method)
        return method

    if constructor is not None:
        args = named(constructor["inputs"])
        sig = ["cls", "chain: Chain", *(f"{a}: {py_type(p, for_input=True)}" for a, p in args)]
        body += ["", "    @classmethod"]
        body += def_lines("deploy", [*sig, "*", "sender: LocalAccount"], name, "    ")
        body += docstring(f"Deploy a new {name} and bind it.", "        ")
        values = ["chain", *(to_abi(p, a) for a, p in args), "sender=sender"]
        body += call_lines("return cls._deploy", values, "", "        ")

    mixins = [m for m, group in groups.items() if _has_group(functions, group)]
    inherited = {snake(f["name"]) for m in mixins for f in groups[m]}
    for method in sorted(inherited):
        claim(method)
    own_functions = [f for f in functions if snake(f["name"]) not in inherited]
    for fn in own_functions:
        body += function_lines(fn, claim(snake(fn["name"])))

    for ev in events:
        method = claim(f"{snake(ev['name'])}_events")
        cls = event_classes[ev["name"]]
        body += ["", f"    def {method}(self, receipt: TxReceipt) -> list[{cls}]:"]
        body += docstring(
            f"The `{ev['name']}` events this contract emitted in `receipt`.", "        "
        )
        found = f"self._events({json.dumps(ev['name'])}, receipt)"
        one = f"        return [{cls}.from_abi(a) for a in {found}]"
        if len(one) <= LINE:
            body.append(one)
        else:
            body += [
                f"        found = {found}",
                f"        return [{cls}.from_abi(a) for a in found]",
            ]

    std: list[str] = []
    if any(_is_input_array(p) for f in own_functions for p in f["inputs"]):
        std.append("from collections.abc import Sequence")
    base = [] if mixins else ["BoundContract"]
    converted = [p for f in own_functions for p in f["inputs"]]
    if constructor is not None:
        converted += constructor["inputs"]
    if any(_element_type(p) == "address" for p in converted):
        base.append("to_address")
    third = [
        "from eth_account.signers.local import LocalAccount",
        "from web3.types import TxReceipt",
    ]
    own = [f"from contracts.bindings.base import {', '.join(base)}"] if base else []
    if mixins:
        own += import_lines("contracts.bindings.common", mixins)
    if events:
        own += import_lines("contracts.bindings.events", sorted(event_classes.values()))
    if used_structs:
        own.append(f"from contracts.bindings.structs import {', '.join(used_structs)}")
    if constructor is not None:
        own.append("from contracts.chain import Chain")
    lines = [
        *_module_head(
            f"{name}.json", [f'"""Typed binding of the `{name}` contract."""'], std, third, own
        ),
        "",
        "",
        f"class {name}({', '.join(mixins) or 'BoundContract'}):",
        *docstring(f"`{name}` at an address on a `Chain`.", "    "),
        "",
        f'    ARTIFACT = "{name}"',
        f'    ABI_HASH = "{abi_hash(abi)}"',
        *body,
    ]
    return "\n".join(lines) + "\n"


def _element_type(param: AbiParam) -> str:
    return str(param["type"]).split("[")[0]


# -- the whole set ----------------------------------------------------------------------------
def _load_abis(artifacts_dir: Path) -> dict[str, tuple[list[AbiEntry], bool]]:
    """Artifact name -> (ABI, deployable). Read from disk, not the cached loader, so a
    build that just rewrote the artifacts is seen."""
    out: dict[str, tuple[list[AbiEntry], bool]] = {}
    for path in sorted(artifacts_dir.glob("*.json")):
        data = json.loads(path.read_text())
        deployable = data.get("bytecode", "0x") not in ("", "0x")
        out[path.stem] = (data["abi"], deployable)
    return out


def render_bindings(artifacts_dir: Path = ARTIFACTS_DIR) -> dict[str, str]:
    """File name -> text for every generated binding module."""
    abis = _load_abis(artifacts_dir)
    all_abis = [abi for abi, _ in abis.values()]
    structs = collect_structs(all_abis)
    bound = {
        name: abi
        for name, (abi, deployable) in abis.items()
        if deployable and any(e["type"] == "function" for e in abi)
    }
    # An event class may not take a struct's or a contract class's name.
    event_taken = set(structs) | set(bound)
    groups = collect_groups(bound.values())
    files = {
        "common.py": render_common(groups),
        "structs.py": render_structs(structs),
        "errors.py": render_errors(collect_errors(all_abis), structs),
        "events.py": render_events(collect_events(bound.values()), event_taken),
    }
    for name, abi in bound.items():
        module = f"{module_name(name)}.py"
        if module in files or module in HAND_WRITTEN:
            raise GenerateError(f"contract {name} would overwrite {module}")
        files[module] = render_contract(name, abi, structs, event_taken, groups)
    return files


def generated_files(bindings_dir: Path = BINDINGS_DIR) -> set[str]:
    return {p.name for p in bindings_dir.glob("*.py")} - HAND_WRITTEN


def write_bindings(
    artifacts_dir: Path = ARTIFACTS_DIR, bindings_dir: Path = BINDINGS_DIR
) -> list[str]:
    """(Re)write the generated modules, remove stale ones; return the file names written."""
    files = render_bindings(artifacts_dir)
    bindings_dir.mkdir(parents=True, exist_ok=True)
    for stale in generated_files(bindings_dir) - set(files):
        (bindings_dir / stale).unlink()
    for file_name, text in files.items():
        path = bindings_dir / file_name
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return sorted(files)


def drift(artifacts_dir: Path = ARTIFACTS_DIR, bindings_dir: Path = BINDINGS_DIR) -> list[str]:
    """Files that differ between the committed bindings and a fresh render."""
    files = render_bindings(artifacts_dir)
    changed = [
        n
        for n, text in files.items()
        if not (bindings_dir / n).exists() or (bindings_dir / n).read_text() != text
    ]
    return sorted(changed + sorted(generated_files(bindings_dir) - set(files)))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.bindings.generate")
    parser.add_argument("--check", action="store_true", help="fail if the bindings are stale")
    options = parser.parse_args(argv)
    if options.check:
        stale = drift()
        if stale:
            print(f"bindings differ from the artifacts: {', '.join(stale)}", file=sys.stderr)
            return 1
        print("bindings up to date")
        return 0
    written = write_bindings()
    print(f"wrote {len(written)} binding modules to {BINDINGS_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
