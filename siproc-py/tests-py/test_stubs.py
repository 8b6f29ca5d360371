"""The hand-written stubs (``siproc/__init__.pyi``) match the runtime, and the package is typed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import siproc


def test_stubtest_passes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "siproc"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_is_marked_typed() -> None:
    package = Path(siproc.__file__).parent
    assert (package / "py.typed").exists()
    assert (package / "__init__.pyi").exists()
