"""The starter proposal that `finimpact init` writes (templates/starter-proposal.toml)."""

from estimator.render.resources import templates_dir


def starter_proposal() -> str:
    return (templates_dir() / "starter-proposal.toml").read_text(encoding="utf-8")
