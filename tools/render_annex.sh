#!/usr/bin/env bash
# Render annexes as pictures, to look at the pages as a reader gets them:
#   Word  -> LibreOffice (soffice --headless) -> PDF -> PNG pages
#   HTML  -> Chromium print to PDF (A4)        -> PNG pages, and a screenshot at 680 px wide
# Usage: tools/render_annex.sh [--lang LANG] [--out OUT] [PROPOSAL.toml ...]
#   PROPOSAL.toml: any proposal files (default: every bundled example, seeds/*.toml)
#   --lang: ar, zh, en, fr, ru or es, as finimpact's --lang (default en)
#   --out:  the folder for the pictures (default out/annex-pictures; its files/, pdf/ and
#           png/ are emptied first)
# e.g. tools/render_annex.sh --lang ar my-proposal.toml   -> out/annex-pictures/png/*.png
# Needs finimpact on PATH, soffice, chromium (or chromium-browser / google-chrome) and
# pdftoppm (poppler-utils).
set -euo pipefail
lang=en out=out/annex-pictures proposals=()
while (($#)); do
  case $1 in
    --lang) lang=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) proposals+=("$(realpath "$1")"); shift ;;
  esac
done
out=$(realpath -m "$out")
cd "$(dirname "$0")/.."
((${#proposals[@]})) || proposals=(seeds/*.toml)
rm -rf "$out/files" "$out/pdf" "$out/png" && mkdir -p "$out/files" "$out/pdf" "$out/png"
for proposal in "${proposals[@]}"; do
  finimpact estimate "$proposal" --format docx,html --lang "$lang" --out "$out/files" >/dev/null
done
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
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
