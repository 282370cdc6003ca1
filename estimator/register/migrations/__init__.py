"""The register's schema, as versioned Alembic migrations run by the tool itself (no
alembic.ini): ``env.py`` takes the open connection from ``config.attributes``, and each file of
``versions/`` is one revision, frozen once released (a register made by it must still open)."""
