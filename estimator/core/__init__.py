"""The pipeline core: load (TOML to a document) → validate (to a Proposal) → price (to cost
lines, with a rate card) → assess (Article 34). Pure stages; nothing here renders or prints.
``pipeline`` runs the stages."""
