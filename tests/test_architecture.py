"""Dependencies point one way: `course` may import `accounts`, never the reverse."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "get_model"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            # apps.get_model("course", ...) would dodge the import rule.
            names.append(str(node.args[0].value))
    return names


def test_accounts_imports_nothing_from_course():
    found = {
        f"{path.relative_to(ROOT)}: {name}"
        for path in (ROOT / "accounts").rglob("*.py")
        if "migrations" not in path.parts
        for name in _imports(path)
        if name == "course" or name.startswith("course.")
    }
    assert not found, "accounts must not depend on course:\n" + "\n".join(sorted(found))


def test_the_rule_sees_an_import_so_it_can_fail(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from course.models import Answer\nimport course.journal\napps.get_model('course', 'X')\n"
    )
    assert _imports(sample) == ["course.models", "course.journal", "course"]
