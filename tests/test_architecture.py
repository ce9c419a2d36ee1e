"""The floor plan holds: layer contracts run and bite, every feature module is classified, modules stay small."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.composition import all_features

ROOT = Path(__file__).resolve().parents[1]
#: A feature's transports (bot handlers, admin pages, arq jobs, outbox reactions, `python -m bot` commands) and
#: its entry point.
TRANSPORTS = {"__init__", "telegram", "views", "jobs", "reactions", "cli"}
MAX_MODULE_LINES = 400
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    found: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return found


def test_every_feature_module_is_a_transport_or_listed_as_domain() -> None:
    """A new module cannot slip past the domain contract: it is a transport by name, or it is listed."""
    [domain] = [c for c in contracts() if str(c["name"]).startswith("The domain")]
    listed = set(domain["source_modules"])  # type: ignore[call-overload]
    for feature in all_features():
        package = ROOT / feature.name
        for path in package.iterdir():
            name = path.stem if path.suffix == ".py" else path.name
            if (path.suffix != ".py" and not (path / "__init__.py").exists()) or name in TRANSPORTS:
                continue
            assert f"{feature.name}.{name}" in listed, f"{feature.name}.{name}: add it to the domain contract"


def test_every_feature_is_independent_of_the_others() -> None:
    [independence] = [c for c in contracts() if c["type"] == "independence"]
    assert set(independence["modules"]) == {f.name for f in all_features()}  # type: ignore[call-overload]


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT) for p in ROOT.glob("*/**/*.py") if ".venv" not in p.parts))
def test_no_module_is_over_the_limit(path: Path) -> None:
    lines = len((ROOT / path).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path} has {lines} lines: split it by noun"


def _copy_tree(destination: Path) -> None:
    """The packages the contracts name (pyproject's root_packages) and pyproject itself."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for name in ("pyproject.toml", *config["tool"]["importlinter"]["root_packages"]):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, destination / name)


def test_the_contracts_are_kept_and_a_telegram_import_in_the_domain_breaks_them(tmp_path: Path) -> None:
    """`make lint` runs lint-imports; the same check fails once a domain module imports telegram."""
    kept = subprocess.run([str(LINT_IMPORTS)], cwd=ROOT, capture_output=True, text=True, check=False)
    assert kept.returncode == 0, kept.stdout
    _copy_tree(tmp_path)
    decisions = tmp_path / "moderation" / "decisions.py"
    decisions.write_text(decisions.read_text(encoding="utf-8") + "\nimport telegram  # noqa\n", encoding="utf-8")
    broken = subprocess.run([str(LINT_IMPORTS)], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert broken.returncode != 0
    assert re.search(r"The domain imports neither telegram nor aiohttp.*BROKEN", broken.stdout)
    assert "moderation.decisions -> telegram" in broken.stdout


def test_the_readme_map_matches_the_tree() -> None:
    """Every path named in the README's map exists, and every top-level package is on the map."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    tree = readme.split("## Where things live", 1)[1].split("```")[1]
    named = re.findall(r"^\s*([\w/.]+/|[\w]+\.py)", tree, flags=re.MULTILINE)
    parents: list[str] = []
    for line in tree.splitlines():
        match = re.match(r"^(\s*)([\w/.]+/|[\w]+\.py)", line)
        if not match:
            continue
        depth = len(match.group(1)) // 2
        parents = [*parents[:depth], match.group(2).rstrip("/")]
        assert (ROOT / "/".join(parents)).exists(), f"README names {'/'.join(parents)}, which does not exist"
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists() or p.name in ("bench", "locales")}
    assert packages <= {n.rstrip("/") for n in named}, packages - {n.rstrip("/") for n in named}
