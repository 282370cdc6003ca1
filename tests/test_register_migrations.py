"""The register's schema history: the migrations, run from the first, make exactly the tables
the tool reads and writes; the revisions the tool knows are Alembic's, in order; and a register
made by the first schema revision (tests/register/rev1, kept as it was made) opens, upgrades
and keeps every version, on SQLite and, rebuilt at revision 1, on PostgreSQL."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.script import ScriptDirectory
from typer.testing import CliRunner

from estimator.cli.app import app
from estimator.register import schema
from estimator.register.store import HEAD, REVISIONS, migrate, where

REV1 = Path(__file__).resolve().parent / "register" / "rev1"
runner = CliRunner()


def _engine(db: str) -> sa.Engine:
    return sa.create_engine(where(db).url)


def _revision(db: str) -> str:
    engine = _engine(db)
    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    engine.dispose()
    return str(found)


def test_the_tool_knows_every_revision_in_order() -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(schema.__file__).parent / "migrations"))
    scripts = ScriptDirectory.from_config(config)
    history = [s.revision for s in reversed(list(scripts.walk_revisions()))]
    assert tuple(history) == REVISIONS
    assert scripts.get_current_head() == HEAD


def test_the_migrations_make_the_tables_the_tool_uses(db: str) -> None:
    engine = _engine(db)
    with engine.begin() as conn:
        migrate(conn, HEAD)
    inspector = sa.inspect(engine)
    made = {
        name: sorted(c["name"] for c in inspector.get_columns(name))
        for name in inspector.get_table_names()
        if name != "alembic_version"
    }
    engine.dispose()
    expected = {t.name: sorted(c.name for c in t.columns) for t in schema.metadata.sorted_tables}
    assert made == expected


def _listed(db: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["register", "list", "--db", db, "--json"])
    assert result.exit_code == 0, result.stderr
    data: list[dict[str, object]] = json.loads(result.stdout)
    return data


REV1_VERSIONS = [
    ("PP26/1/1", "1000.00", False, "2026-09-01"),
    ("PP26/1/1(Rev.1)", "1500.00", True, "2026-09-02"),
    ("PP26/2/1", "500.00", True, "2026-09-01"),
]


def _check_rev1(db: str) -> None:
    """The fixture's three versions, with their texts, as revision 1 recorded them."""
    rows = _listed(db)
    assert _revision(db) == HEAD
    got = [(r["reference"], r["total"], r["current"], r["recorded_at"]) for r in rows]
    assert got == REV1_VERSIONS
    assert {r["recorded_by"] for r in rows} == {"revision 1"}
    for reference, file in (
        ("PP26/1/1", "PP26-1-1.toml"),
        ("PP26/1/1(Rev.1)", "PP26-1-1-Rev-1.toml"),
    ):
        shown = runner.invoke(app, ["register", "show", reference, "--db", db, "--text"])
        assert shown.stdout == (REV1 / file).read_text(encoding="utf-8")
        estimate = runner.invoke(app, ["register", "show", reference, "--db", db, "--json"])
        assert json.loads(estimate.stdout)["proposal"]["reference"] == reference


def test_a_register_made_by_the_first_revision_opens_and_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "rev1.sqlite"
    shutil.copy(REV1 / "rev1.sqlite", path)
    assert _revision(str(path)) == REVISIONS[0]
    _check_rev1(str(path))


def test_a_register_of_the_first_revision_upgrades_on_postgresql(db: str) -> None:
    """The fixture's rows, copied as they are into a PostgreSQL database at revision 1."""
    if "://" not in db:  # SQLite: the test above, on the fixture itself
        return
    engine = _engine(db)
    source = sa.create_engine(f"sqlite:///{REV1 / 'rev1.sqlite'}")
    with engine.begin() as conn:
        migrate(conn, REVISIONS[0])
        old = sa.MetaData()
        old.reflect(conn)
        with source.connect() as read:
            for table in old.sorted_tables:
                if table.name == "alembic_version":
                    continue
                rows = [dict(r._mapping) for r in read.execute(sa.select(table))]
                if rows:
                    conn.execute(sa.insert(table), rows)
        for table in ("proposal", "version"):  # ids were copied: the sequences follow them
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
            )
    source.dispose()
    engine.dispose()
    assert _revision(db) == REVISIONS[0]
    _check_rev1(db)
    # and the upgraded register takes new proposals (its ids follow the copied ones)
    seed = REV1.parent.parent.parent / "seeds" / "pp26-ai-capacity.toml"
    assert runner.invoke(app, ["register", "add", str(seed), "--db", db]).exit_code == 0
    assert len(_listed(db)) == 4
