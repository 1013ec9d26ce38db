#!/usr/bin/env bash
# Copy the front-end packages installed from package-lock.json into the Python package, with
# their licences. Run by `make assets`; the copied files are committed so that a pip install
# gives a working app without Node.js.
set -euo pipefail
cd "$(dirname "$0")"
out=../src/journeymap/web/static/vendor
mkdir -p "$out"
cp node_modules/htmx.org/dist/htmx.min.js "$out/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$out/htmx.LICENSE"
cp node_modules/svg-pan-zoom/dist/svg-pan-zoom.min.js "$out/svg-pan-zoom.min.js"
cp node_modules/svg-pan-zoom/LICENSE "$out/svg-pan-zoom.LICENSE"
node -e '
const lock = require("./package-lock.json");
const out = {};
for (const [k, v] of Object.entries(lock.packages)) if (k) out[k.replace("node_modules/", "")] = { version: v.version, integrity: v.integrity };
console.log(JSON.stringify(out, null, 2));
' > "$out/versions.json"
