"""finimpact: estimate the financial implications of proposals to ITU conferences.

The pipeline, one pure stage per module: load (TOML to a document) → validate (to a
Proposal) → price (to cost lines, with a rate card) → assess (Article 34) → render (annex,
workbook, JSON). ``estimator.pipeline`` runs the stages; ``estimator.cli`` is a thin command
line over it.
"""

__version__ = "0.1.0"
