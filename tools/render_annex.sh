#!/usr/bin/env bash
# Render every seed's annex as pictures, to look at the pages as a reader gets them:
#   Word  -> LibreOffice (soffice --headless) -> PDF -> PNG pages
#   HTML  -> Chromium print to PDF (A4)        -> PNG pages, and a screenshot at 680 px wide
# Usage: tools/render_annex.sh [OUT] [LANG]   (default: out/annex-pictures, en); LANG is any
# of ar, zh, en, fr, ru, es (--lang). Needs soffice, chromium (or chromium-browser /
# google-chrome) and pdftoppm (poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-out/annex-pictures}")
lang=${2:-en}
rm -rf "$out" && mkdir -p "$out/files" "$out/pdf" "$out/png"
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
for seed in seeds/*.toml; do
  finimpact estimate "$seed" --format docx,html --lang "$lang" --out "$out/files" >/dev/null 2>&1
done
profile=$(mktemp -d)
soffice --headless --norestore "-env:UserInstallation=file://$profile" \
  --convert-to pdf --outdir "$out/pdf" "$out"/files/*.docx >/dev/null
rm -rf "$profile"
for html in "$out"/files/*.annex.html; do
  name=$(basename "$html" .html)
  "$browser" --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
    --print-to-pdf="$out/pdf/$name.html.pdf" "file://$html" 2>/dev/null
  # the "Rates used" table alone, on a screen 680 px wide
  python3 - "$html" "$out/files/$name.rates.htm" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
head, body = page.split("<body>", 1)
rates = re.search(r'<h3>(?:(?!<h3>).)*?<table id="rates">.*?</table>', body, re.S)
open(sys.argv[2], "w", encoding="utf-8").write(head + "<body>" + (rates[0] if rates else "") + "</body></html>")
PY
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=680,2400 \
    --screenshot="$out/png/$name.rates-680px.png" "file://$out/files/$name.rates.htm" 2>/dev/null
done
for pdf in "$out"/pdf/*.pdf; do
  name=$(basename "$pdf" .pdf)
  pdftoppm -png -r 60 "$pdf" "$out/png/$name"
  echo "$name: $(pdfinfo "$pdf" 2>/dev/null | awk '/^Pages:/ {print $2}') pages"
done
echo "pictures in $out/png"
