"""The renderers: one view model (``view``) feeds the annex (Markdown, HTML, Word), the
workbook and the JSON; ``outputs`` writes them to disk atomically."""
