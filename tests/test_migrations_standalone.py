"""Migrations keep their meaning when the application's code changes: none imports from portal."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

VERSIONS = sorted((Path(__file__).resolve().parents[1] / "migrations" / "versions").glob("*.py"))


@pytest.mark.parametrize("path", VERSIONS, ids=lambda p: p.name)
def test_migration_imports_no_application_code(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name == "portal" or name.startswith("portal.")]

