"""The command line: a thin Typer face over the library (``app``)."""
