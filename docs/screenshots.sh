#!/usr/bin/env bash
# Photographs the committed job-summary examples as GitHub shows them:
#   docs/summary-example.md       -> docs/summary-failure.png (the users' bootstrap failure)
#   docs/summary-example-green.md -> docs/summary-green.png
#
# The Markdown is rendered to HTML by tests/summary_render.rs (comrak, CommonMark + GFM, the
# same renderer the render checks use) inside a page with GitHub's summary style, then headless
# Chromium takes the picture. Needs Debian's `chromium` (apt-get install -y chromium).
#
#   docs/screenshots.sh            # writes the two PNGs in docs/
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PAGES="$(mktemp -d "${TMPDIR:-/tmp}/itm-gate-pages.XXXXXX")"
trap 'rm -rf "$PAGES"' EXIT

CHROMIUM="$(command -v chromium || command -v chromium-browser || true)"
[[ -n "$CHROMIUM" ]] || { echo "screenshots: chromium is required (apt-get install -y chromium)" >&2; exit 1; }

# The examples must be fresh; the same test writes the HTML pages.
(cd "$REPO" && SUMMARY_HTML_DIR="$PAGES" cargo test --locked --quiet --test summary_render committed_summary_examples_are_fresh)

for shot in summary-failure:1400 summary-green:720; do
  page="${shot%%:*}" height="${shot##*:}"
  [[ -s "$PAGES/$page.html" ]] || { echo "screenshots: $page.html was not written" >&2; exit 1; }
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --screenshot="$REPO/docs/$page.png" --window-size=1100,$height "file://$PAGES/$page.html" 2>/dev/null
  echo "docs/$page.png"
done
