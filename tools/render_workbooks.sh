#!/usr/bin/env bash
# Look at the workbooks as a reader sees them: every seed's workbook and the batch report's,
# printed by LibreOffice to PDF, each page a PNG.
#
#   tools/render_workbooks.sh [OUT]        (default OUT: /tmp/finimpact-workbooks)
#
# Needs finimpact installed (pip install -e .), soffice (LibreOffice) and pdftoppm (poppler).
# Then open OUT/png/*.png: no '###', columns wide enough, one page wide, headers on every page.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-/tmp/finimpact-workbooks}
rm -rf "$out" && mkdir -p "$out/books" "$out/pdf" "$out/png"
finimpact batch "$here/seeds" --out "$out/run" --format xlsx --plan example-itu >/dev/null 2>&1 || true
cp "$out"/run/*.xlsx "$out/books/"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
soffice --headless --norestore -env:UserInstallation="file://$profile" \
  --convert-to pdf --outdir "$out/pdf" "$out"/books/*.xlsx >/dev/null
for pdf in "$out"/pdf/*.pdf; do
  name=$(basename "$pdf" .pdf)
  pdftoppm -png -r 60 "$pdf" "$out/png/$name"
  if pdftotext "$pdf" - | grep -q '###'; then echo "### in $name"; fi
done
echo "$(ls "$out"/png | wc -l) pages in $out/png"
