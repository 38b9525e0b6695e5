#!/usr/bin/env bash
# lua-same-pcap.sh - a Lua scenario builds exactly the model its JSON twin
# does: the same scenario written in both runs with exit 0 and writes
# byte-identical captures (pcapng and per-interface pcap), and the same run
# twice gives the same bytes again (no clock, no hash order).
#
# Usage: lua-same-pcap.sh NETSTEP JSON LUA WORKDIR
set -euo pipefail
netstep=$1 json=$2 lua=$3
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$4"

for kind in json lua lua2; do
    file=$json
    [[ $kind == lua* ]] && file=$lua
    mkdir -p "$work/$kind.dir"
    run "$kind" "$netstep" run "$file" --quiet --pcap "$work/$kind.pcapng" --pcap-dir "$work/$kind.dir"
    no_crash "$kind"
    [[ $rc -eq 0 ]] || fail "netstep run $file exited with $rc, expected 0"
    [[ -s $work/$kind.pcapng ]] || fail "no capture from $file"
done
cmp "$work/json.pcapng" "$work/lua.pcapng" || fail "the JSON and Lua captures differ"
diff -r "$work/json.dir" "$work/lua.dir" >/dev/null || fail "the per-interface captures differ"
cmp "$work/lua.pcapng" "$work/lua2.pcapng" || fail "two runs of the Lua scenario differ"
grep -q "expectations: .* passed, 0 failed" "$work/lua.out" || fail "the Lua run reported no expectations"
echo "ok: $(stat -c %s "$work/json.pcapng") bytes, identical from JSON and Lua"
