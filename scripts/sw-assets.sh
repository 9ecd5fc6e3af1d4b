#!/bin/sh
# Trunk post_build hook: writes $TRUNK_STAGING_DIR/sw.js from public/sw.template.js with the
# hashed asset names of THIS build and a cache version derived from them. POSIX sh.
set -eu

staging="${TRUNK_STAGING_DIR:?run me as a trunk post_build hook}"

# Only the wallet's build writes the service worker: the code screen's (code/index.html), the
# areas' (areas/index.html), the memberships' (memberships/index.html), the entry's
# (entry/index.html), sign-in and join's (welcome/index.html), the till's (till/index.html) and
# its club parts' (till-clubs/index.html) builds go into subdirectories of dist/, and xtask runs
# this script once more on the whole dist/ after them (TRUNK_HTML_FILE unset), so the code
# screen, the areas, the memberships, the entry and sign-in are precached too.
# (Hooks run in the directory of Trunk.toml; trunk passes the target's canonical path.)
if [ -n "${TRUNK_HTML_FILE:-}" ] && [ "$TRUNK_HTML_FILE" != "$(pwd -P)/index.html" ]; then
  echo "sw-assets: not the wallet's build ($TRUNK_HTML_FILE), no service worker"
  exit 0
fi
source_dir="${TRUNK_SOURCE_DIR:-.}"
template="$source_dir/public/sw.template.js"

# Shell + every hashed js/wasm/css, the languages' tables for customers (locales/*.json, not the
# console's) + manifest and icons, as root-relative URLs; the till needs
# the network anyway, so its builds (the console and its club parts) are not precached on every
# customer's phone, and the install dialog's screenshots are only for the browser's dialog,
# which is online.
list=$(cd "$staging" && find . \( -path ./till -o -path ./till-clubs -o -path ./screenshots \) -prune -o -type f \
  \( -name '*.js' -o -name '*.wasm' -o -name '*.css' -o -name '*.json' -o -name '*.webmanifest' -o -name '*.png' -o -name '*.svg' \) \
  ! -name 'sw.js' ! -name 'sw.template.js' ! -name '*-console.*.json' -print | sed 's|^\./|/|' | LC_ALL=C sort)

[ -n "$list" ] || { echo "sw-assets: no assets found in $staging" >&2; exit 1; }

json='["/","/index.html"'
# The pages of the wallet's other apps, when built: the code screen's (served at
# /cards/{id}/code) and sign-in and join's (served at /sign-in and /join).
pages="$staging/index.html"
for page in code/index.html welcome/index.html; do
  if [ -f "$staging/$page" ]; then
    json="$json,\"/$page\""
    pages="$pages $staging/$page"
  fi
done
for f in $list; do
  json="$json,\"$f\""
done
json="$json]"

# The cache version changes whenever any precached file changes: hashed names, and the content
# of the unhashed ones (index.html, manifest, icons).
fingerprint() {
  printf '%s\n' $list
  cat $pages
  for f in $list; do cat "$staging$f"; done
}
if command -v sha256sum >/dev/null 2>&1; then
  version=$(fingerprint | sha256sum | cut -c1-16)
else
  version=$(fingerprint | cksum | tr -c '0-9\n' '-' | tr -d '\n')
fi

sed -e "s|__TESSERA_CACHE_VERSION__|$version|" -e "s|__TESSERA_PRECACHE__|$json|" \
  "$template" > "$staging/sw.js"
echo "sw-assets: wrote sw.js (cache $version, $(printf '%s\n' $list | wc -l | tr -d ' ') assets)"
