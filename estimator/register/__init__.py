"""The register: every costed version of every proposal of a conference, the decisions taken
on them, and the running Article 34 position, kept in a database (a SQLite file, or PostgreSQL
shared by several officers). A thin face over ``estimator.api``: the register prices nothing
itself, it records what the library returns.

- ``reference``: an ITU reference and its revision (PP26/44A2/1(Rev.1), Add.N, Corr.N);
- ``position``: the position as a frozen, typed value, and the pure arithmetic that makes it
  (no database: the renderers of the Budget Control Committee's report read it);
- ``store``: the database (SQLAlchemy Core; schema migrations with Alembic in ``migrations``):
  open or create a register, one transaction per command;
- ``transfer``: export to and import from plain files (TOML inputs and a JSON index).

docs/register.md is the guide for a conference secretariat.
"""
