#!/usr/bin/env bash
# Re-extract every marked string, merge it into the en and cy catalogs, and compile them.
# Then translate each new empty msgstr in hwb_tui/locale/cy/LC_MESSAGES/hwb_tui.po (see
# docs/glossary-cy.md), run this again to compile, and commit the .po and .mo files.
# tests/test_i18n.py fails while any message lacks its Welsh translation.
set -euo pipefail
cd "$(dirname "$0")/.."
locale=hwb_tui/locale
pybabel extract -F babel.cfg --project=hwb-tui --copyright-holder="hwb-tui contributors" \
  --sort-by-file -k NC_:1c,2 -c Translators: -o "$locale/hwb_tui.pot" .
pybabel update -D hwb_tui -i "$locale/hwb_tui.pot" -d "$locale" --no-fuzzy-matching \
  --ignore-obsolete
pybabel compile -D hwb_tui -d "$locale" --statistics
