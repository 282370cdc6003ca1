#!/usr/bin/env bash
# Look at the batch report as a committee sees it: the HTML on a 1280-pixel screen and printed
# on A4 by Chromium, each page a PNG; the Markdown's tables counted by a CommonMark parser.
#
#   tools/render_batch.sh [OUT]        (default OUT: /tmp/finimpact-batch)
#
# Needs finimpact installed (pip install -e '.[test]'), chromium and pdftoppm/pdftotext
# (poppler). Then open OUT/screen.png and OUT/print-*.png: no column lost, header rows on
# every page, the running head and page numbers in the margins.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/finimpact-batch}
chromium=${CHROMIUM:-/usr/bin/chromium}
rm -rf "$out" && mkdir -p "$out"
finimpact batch "$here/seeds" --out "$out/run" --format html,md --plan example-itu >/dev/null 2>&1 || true
html="$out/run/batch-report.html"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile")
"$chromium" "${flags[@]}" --hide-scrollbars --window-size=1280,900 \
  --screenshot="$out/screen.png" "file://$html" >/dev/null 2>&1
"$chromium" "${flags[@]}" --hide-scrollbars --window-size=1280,4000 \
  --screenshot="$out/screen-full.png" "file://$html" >/dev/null 2>&1
"$chromium" "${flags[@]}" --no-pdf-header-footer --print-to-pdf="$out/print.pdf" \
  "file://$html" >/dev/null 2>&1
pdftoppm -png -r 60 "$out/print.pdf" "$out/print"
pdftotext -layout "$out/print.pdf" "$out/print.txt"
python - "$out/run/batch-report.md" <<'PY'
import sys
from markdown_it import MarkdownIt
tokens = MarkdownIt("commonmark").enable("table").parse(open(sys.argv[1], encoding="utf-8").read())
tables = [t for t in tokens if t.type == "table_open"]
rows = sum(1 for t in tokens if t.type == "tr_open")
print(f"Markdown: {len(tables)} tables, {rows} rows")
PY
echo "$(ls "$out"/print-*.png | wc -l) printed pages; screen shots and pages in $out"
