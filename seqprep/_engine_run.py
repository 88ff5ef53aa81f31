"""Run the polars or Spark engine on a path for the command line (``--engine``).

Apart from :mod:`seqprep._engines`, which both engines import, so that no import cycle forms.
"""

from __future__ import annotations

from typing import Any

from ._engines import require_parquet

__all__ = ["run"]


def run(engine: str, path: Any, schema: Any, *, master: str | None = None) -> tuple:
    """``(failures, notes, shape, skipped)`` of the Parquet file or folder ``path``, checked
    by ``engine`` (``"polars"`` or ``"spark"``); ``skipped`` are the files of a folder
    that the listing rule leaves out (as the pandas path lists them)."""
    from ._parquet import is_url, list_files

    require_parquet(path, engine)
    if engine == "polars":
        from ._polars import validate_path as by_polars

        failures, notes, shape = by_polars(path, schema)
    else:
        from ._spark import validate_path as by_spark

        failures, notes, shape = by_spark(path, schema, master=master)
    local = not is_url(path) or str(path).startswith("file://")
    skipped = list(list_files(path).skipped) if local else []
    return failures, [f"checked by {engine}"] + notes, shape, skipped
