"""One file per schema revision, in order; never edited once released."""
