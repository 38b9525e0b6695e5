#!/usr/bin/env bash
# lua-doc-examples.sh - every Lua example in docs/lua.md runs as printed.
#
# Usage: lua-doc-examples.sh NETSTEP DOC WORKDIR
# Each ```lua block of DOC is a scenario: whole when its first line is
# "-- complete scenario", else run after the page's three-line prelude (two
# hosts on a cable, the first ```text block after "are run after these").
# `netstep run` must exit 0 for each, with no sanitizer report.
set -euo pipefail
netstep=$1 doc=$2
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$3"

python3 - "$doc" "$work" <<'PY' || fail "could not extract the examples of $doc"
import re
import sys

doc, work = sys.argv[1], sys.argv[2]
text = open(doc, encoding="utf-8").read()
prelude = re.search(r"are run after these.*?```text\n(.*?)```", text, re.S).group(1)
blocks = re.findall(r"```lua\n(.*?)```", text, re.S)
if len(blocks) < 20:
    sys.exit("only %d lua examples found" % len(blocks))
for i, b in enumerate(blocks):
    body = b if b.startswith("-- complete scenario") else prelude + b
    with open("%s/example%02d.lua" % (work, i + 1), "w", encoding="utf-8") as f:
        f.write(body)
print(len(blocks))
PY

n=0
for file in "$work"/example*.lua; do
    name=$(basename "$file" .lua)
    run "$name" "$netstep" run "$file" --quiet
    no_crash "$name"
    [[ $rc -eq 0 ]] || { cat "$file"; fail "$name exited with $rc, expected 0"; }
    if grep -q "^FAIL" "$work/$name.out"; then
        fail "$name: an expectation failed"
    fi
    n=$((n + 1))
done
echo "ok: $n examples of $(basename "$doc") run"
