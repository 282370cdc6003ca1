"""finimpact: estimate the financial implications of proposals to ITU conferences.

Sub-packages, in the one direction imports run (faces → renderers → core → cost models):
``core`` (the pipeline: load → validate → price → assess), ``render`` (the annex, workbook
and JSON from one view model), ``batch`` (many proposals and the consolidated report) and
``cli`` (the command line). ``cost_models`` (a separate package) holds what things cost.
"""

__version__ = "0.1.0"
