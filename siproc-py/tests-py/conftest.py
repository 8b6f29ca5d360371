"""Shared helpers: where the repository and the conformance corpus are."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "conformance"


def corpus() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every case of every corpus file, as (file/name, case)."""
    for path in sorted(CORPUS.rglob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            yield f"{path.relative_to(CORPUS)} / {case['name']}", case
