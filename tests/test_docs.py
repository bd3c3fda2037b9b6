"""The documentation runs: every example in docs/*.md and README.md, and the strict site build.

Examples are doctest sessions (``>>>`` lines), usually inside fenced code blocks; fence lines
are blanked before parsing so a closing fence never becomes part of an expected output.
``$ geoflows ...`` lines in ``console`` blocks of the pages listed in ``CLI_PAGES`` are run too.
Everything runs from the repository root and writes only under ``build/``.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]
#: Pages that must contain examples (a parser that silently skipped them would pass otherwise).
PAGES_WITH_EXAMPLES = (
    "README.md",
    "index.md",
    "getting-started.md",
    "data-contract.md",
    "styling.md",
)
#: Pages whose ``$ geoflows ...`` console lines are run.
CLI_PAGES = ("README.md", "getting-started.md", "notebooks.md")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
_FENCE = re.compile(r"^[ \t]*(```|~~~).*$", re.MULTILINE)


class FencedDocTestParser(doctest.DocTestParser):
    """A DocTestParser that ignores Markdown code-fence lines (line numbers are kept)."""

    def parse(self, string: str, name: str = "<string>") -> list:
        return super().parse(_FENCE.sub("", string), name)


def _id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.fixture
def in_root(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return ROOT


@pytest.mark.slow
@pytest.mark.parametrize("path", DOC_FILES, ids=_id)
def test_examples_run(path: Path, in_root: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    result = doctest.testfile(
        str(path),
        module_relative=False,
        optionflags=FLAGS,
        parser=FencedDocTestParser(),
        encoding="utf-8",
        globs={},
    )
    assert result.failed == 0, (
        f"{result.failed} of {result.attempted} examples failed in {path.name}"
    )
    if path.name in PAGES_WITH_EXAMPLES:
        assert result.attempted > 0, f"{path.name} should have runnable examples"


def test_fence_lines_are_not_expected_output() -> None:
    text = "```pycon\n>>> 1 + 1\n2\n```\n"
    (example,) = FencedDocTestParser().get_examples(text)
    assert example.want == "2\n"


def _console_commands() -> list[tuple[str, str]]:
    out = []
    for name in CLI_PAGES:
        path = ROOT / name if name == "README.md" else ROOT / "docs" / name
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        for block in re.findall(r"```console\n(.*?)```", text, flags=re.DOTALL):
            for line in block.splitlines():
                if line.startswith("$ geoflows "):
                    out.append((name, line[2:]))
    return out


@pytest.mark.slow
@pytest.mark.parametrize(("page", "command"), _console_commands(), ids=lambda v: v)
def test_console_examples_run(page: str, command: str, in_root: Path) -> None:
    args = shlex.split(command)[1:]
    run = subprocess.run(
        [sys.executable, "-m", "geoflows", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, (
        f"{page}: `{command}` exited {run.returncode}\n{run.stdout}\n{run.stderr}"
    )


def test_readme_links_exist() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if "://" not in t and not t.startswith("mailto:")]
    assert local, "README should link to the docs and notebooks"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert missing == [], f"README links to missing files: {missing}"


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(ROOT / "mkdocs.yml"),
            "--site-dir",
            str(tmp_path / "site"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, f"mkdocs build --strict failed:\n{run.stdout}\n{run.stderr}"
    api = (tmp_path / "site" / "api" / "index.html").read_text(encoding="utf-8")
    for name in ("geoflows.io.read_flows", "geoflows.flows.FlowSet", "geoflows.places.geocode"):
        assert f'id="{name}"' in api, f"the API reference lacks {name}"
