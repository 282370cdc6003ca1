"""Presentation only: the annex templates and the starter proposal. No arithmetic here.

Installed as the package ``estimator.templates``.
"""
