"""`make run` installs what running needs; the test and lint targets bring their tools."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def planned_installs(target: str, venv: Path) -> list[str]:
    """The pip commands `make TARGET` would run into a new virtualenv at `venv`."""
    result = subprocess.run(  # noqa: S603 (a fixed tool with our own arguments)
        ["make", "--dry-run", "--always-make", target, f"VENV={venv}"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "pip install" in line]


def test_make_run_installs_broadsheet_without_the_dev_tools(tmp_path):
    installs = planned_installs("run", tmp_path / "venv")

    assert len(installs) == 1, installs
    assert installs[0].endswith("pip install --quiet -c constraints.txt -e .")


@pytest.mark.parametrize("target", ["pytest", "lint"])
def test_test_and_lint_targets_install_the_dev_tools(tmp_path, target):
    installs = planned_installs(target, tmp_path / "venv")

    assert any(line.endswith("-e '.[dev]'") for line in installs), installs
