#!/bin/sh
# Builds the first-weekday policy from app.py with componentize-py (pip install componentize-py):
#   ./build.sh [OUT]      (OUT defaults to first_weekday.wasm beside this file)
# Set COMPONENTIZE_PY to use a componentize-py that is not on the PATH. The WIT contract and
# the docket_plugin package come from this Docket checkout.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root="$here/../../.."
out="${1:-$here/first_weekday.wasm}"
"${COMPONENTIZE_PY:-componentize-py}" -d "$root/wit" -w reminder-policy componentize \
    -p "$here" -p "$root/plugins/python" app -o "$out"
