"""Op-table rows (see op_table.py)."""
from __future__ import annotations

OPS: list = []
