#!/bin/sh
# Trunk post_build hook (release builds): minifies each build's JS glue with terser, which
# cargo xtask installs (trunk's own minifier gives up on wasm-bindgen's `export default` and
# ships the glue as it is), and rewrites the `integrity` of each file in the build's pages.
# About 2.3 KB gzip -9 less per build. POSIX sh.
set -eu

[ "${TRUNK_PROFILE:-}" = release ] || exit 0
staging="${TRUNK_STAGING_DIR:?run me as a trunk post_build hook}"
command -v terser >/dev/null 2>&1 || {
  echo "minify-js: terser is not on PATH (cargo xtask installs it)" >&2
  exit 1
}

sri() {
  printf 'sha384-%s' "$(openssl dgst -sha384 -binary "$1" | openssl base64 -A)"
}

for file in "$staging"/*.js; do
  [ -e "$file" ] || continue
  case "$(basename "$file")" in
    sw.js | *_loader.js) continue ;;
  esac
  # The page's glue is an ES module; a worker's (wasm-bindgen no-modules) is a classic script.
  mode=""
  if grep -q 'export default' "$file"; then mode="--module"; fi
  before=$(sri "$file")
  terser "$file" $mode --compress --mangle --output "$file.min"
  mv "$file.min" "$file"
  after=$(sri "$file")
  for page in "$staging"/*.html; do
    [ -e "$page" ] || continue
    sed -i "s#$before#$after#g" "$page"
  done
done
