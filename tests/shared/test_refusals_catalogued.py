"""Every refusal a person reads is a message of the one catalogue (issues 15 and 18): no code makes one with
literal text (a string, an f-string, text put together with % or .format), which would reach a Chinese page in
the English it was written in. A refusal is any class deriving from lianxin.errors' ``Refused``, under whatever
name the code gives it (``ApiError``, ``Unprocessable``, ``Forbidden``, accounts' ``SignInRefused`` …); its
message is its ``message`` argument, or the first one where its ``__init__`` has none. What is wrong with one field
(a ``Problem``, or the ``{"field", "problem"}`` a refusal's details take) is a message of the catalogue too."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = (ROOT / "lianxin", ROOT / "services")
BASE = "Refused"
FIELD_PROBLEM = {"Problem": 1}  # lianxin.errors.Problem(field, message, values)


def modules(*folders: Path) -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path))
            for folder in folders for path in sorted(folder.rglob("*.py"))}


def _name(node: ast.expr) -> str | None:
    """``Invalid`` for ``Invalid`` and ``errors.Invalid``."""
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def refusals(trees) -> dict[str, int]:
    """Every refusal class or alias by name -> the position of its message among the positional arguments."""
    classes, aliases = {}, {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                init = next((f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
                classes[node.name] = ([_name(b) for b in node.bases],
                                      init and [a.arg for a in init.args.posonlyargs + init.args.args][1:])
            elif (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                  and isinstance(node.value, (ast.Name, ast.Attribute))):
                aliases[node.targets[0].id] = _name(node.value)  # ApiError = Refused
    known = {BASE: classes[BASE][1]}
    while True:  # down the class tree until no class or alias is added
        added = {name: params or known[next(b for b in bases if b in known)]
                 for name, (bases, params) in classes.items() if name not in known and set(bases) & set(known)}
        added |= {name: known[target] for name, target in aliases.items() if name not in known and target in known}
        if not added:
            return {name: params.index("message") if "message" in params else 0 for name, params in known.items()}
        known |= added


def literal_text(node: ast.expr | None) -> bool:
    """Text written out in the code rather than a message id (``N_("…")`` or a name bound to one)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return literal_text(node.left) or literal_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return literal_text(node.func.value)
    return False


def literal_refusals(trees: dict[Path, ast.Module], known: dict[str, int]) -> list[str]:
    """``path:line: Class`` for each refusal made with literal text."""
    found, known = [], {**known, **FIELD_PROBLEM}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Dict) and literal_text(_written(node).get("problem")):
                found.append(f"{_shown(path)}:{node.lineno}: problem")
            if not isinstance(node, ast.Call) or (name := _name(node.func)) not in known:
                continue
            position = known[name]
            message = next((k.value for k in node.keywords if k.arg == "message"),
                           node.args[position] if len(node.args) > position else None)
            if literal_text(message):
                found.append(f"{_shown(path)}:{node.lineno}: {name}")
    return found


def _written(node: ast.Dict) -> dict:
    """A dict display's values by the keys written out (``**spread`` and computed keys left out)."""
    return {k.value: v for k, v in zip(node.keys, node.values, strict=True) if isinstance(k, ast.Constant)}


def _shown(path: Path) -> Path:
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def test_no_refusal_is_made_with_literal_text():
    trees = modules(*SCANNED)
    assert literal_refusals(trees, refusals(trees.values())) == []


def test_the_refusals_are_found_under_every_name_the_code_gives_them():
    known = refusals(modules(*SCANNED).values())
    assert {"Invalid", "NotFound", "Conflict", "NotAllowed", "TooManyTries", "ApiError", "Unprocessable",
            "TooManyRequests", "Unauthorised", "Forbidden", "SignInRefused", "LockedOut", "BackendError",
            "Open311Error"} <= set(known)
    assert known["BackendError"] == 3  # (service, status, code, message, ...)


def test_the_scan_finds_literal_text_in_any_refusal(tmp_path):
    module = tmp_path / "use_case.py"
    module.write_text(
        "from lianxin.errors import Invalid, Refused\n"
        "from lianxin.i18n import N_\n"
        "class Mine(Invalid):\n"
        "    pass\n"
        "def check(x):\n"
        "    if x == 1:\n"
        "        raise Invalid(f'x is {x}')\n"
        "    if x == 2:\n"
        "        raise Mine('x is %s' % x)\n"
        "    if x == 3:\n"
        "        raise Refused(message='no x')\n"
        "    if x == 4:\n"
        "        raise Invalid(None, [Problem('x', f'x is {x}')])\n"
        "    if x == 5:\n"
        "        raise Invalid(N_('%(x)s is wrong'), [{'field': 'x', 'problem': 'unknown x'}], x=x)\n"
        "    raise Invalid(N_('%(x)s is wrong'), [Problem('x', N_('%(x)s is wrong'))], x=x)  # not found\n",
        encoding="utf-8")
    trees = modules(*SCANNED)
    mine = modules(tmp_path)
    found = literal_refusals(mine, refusals([*trees.values(), *mine.values()]))
    assert found == [f"{module}:7: Invalid", f"{module}:9: Mine", f"{module}:11: Refused", f"{module}:13: Problem",
                     f"{module}:15: problem"]
