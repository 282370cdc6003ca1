"""`python -m estimator` is the same tool as `finimpact`."""

from estimator.cli import main

main()
