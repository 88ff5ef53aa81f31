"""``python -m seqprep`` and the ``seqprep`` console script."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """Run the command line; without click installed, say how to get it (exit 2)."""
    try:
        import click  # noqa: F401
    except ImportError:
        print("seqprep: error: the command line needs the optional dependency `click`, which "
              "is not installed. Install it with: pip install 'seqprep[cli]'", file=sys.stderr)
        sys.exit(2)
    from ._cli import cli

    cli.main(args=argv, prog_name="seqprep")


if __name__ == "__main__":
    main()
