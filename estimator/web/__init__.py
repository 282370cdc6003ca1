"""The web app (``finimpact serve``): a form where a delegate costs a proposal without writing
TOML, one more face over the in-memory library (``estimator.api``), like the command line.

- ``fields``: the form's fields, made from the models (the proposal, each activity kind of the
  registry, each conference activity template), with the words shown beside them.
- ``form``: the posted form to a proposal's tables and back; a diagnostic's key path to its field.
- ``tomlwrite``: a proposal's tables as TOML text (the 'proposal as TOML' download).
- ``feedback``: the estimate's totals and the problems, as the page shows them.
- ``app``: the Starlette app (routes, limits, downloads); ``server``: ``finimpact serve``.

Imported only by ``finimpact serve`` (and the tests): the other commands never load it.
"""
