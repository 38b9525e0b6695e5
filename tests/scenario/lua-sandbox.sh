#!/usr/bin/env bash
# lua-sandbox.sh - a Lua scenario cannot get out of its sandbox, and its
# limits end a run with exit 2 and a clear message.
#
# Usage: lua-sandbox.sh NETSTEP WORKDIR CASES_DIR BAD_DIR
#  - every CASES_DIR/*.lua (escapes and runaways inside callbacks, which only
#    a run reaches) must make `netstep run` exit 2 with the message its first
#    line names ("-- expect: MESSAGE");
#  - every BAD_DIR/lua_*.lua (the load-time cases, whose messages the
#    bad-input tests check) must make `netstep run` exit 2 as well;
#  - each run happens in an empty directory of its own with
#    `--pcap out.pcapng --trace out.jsonl`, and afterwards that directory
#    holds those two files at most: the script wrote nothing anywhere;
#  - the limits come from the command line: --lua-instructions and
#    --lua-memory lower them until a small script fails, and the default
#    lets it pass.
# The ctest timeout bounds how long all of it may take ("within seconds").
set -euo pipefail
netstep=$1 cases=$3 bad=$4
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$2"
netstep=$(cd "$(dirname "$netstep")" && pwd)/$(basename "$netstep")

# run_in_empty NAME FILE ARGS...: runs netstep in $work/NAME (a fresh
# directory) and checks what is left there.
run_in_empty() {
    local name=$1 file=$2
    shift 2
    local dir=$work/$name
    mkdir -p "$dir"
    rc=0
    (cd "$dir" && "$netstep" run "$file" --quiet --pcap out.pcapng --trace out.jsonl "$@" \
        >"$work/$name.out" 2>"$work/$name.err" </dev/null) || rc=$?
    last=$name
    no_crash "$name"
    local extra
    extra=$(find "$dir" -mindepth 1 ! -name out.pcapng ! -name out.jsonl | head -n 5)
    [[ -z $extra ]] || fail "$name: the scenario left files behind: $extra"
}

n=0
for file in "$cases"/*.lua; do
    name=$(basename "$file" .lua)
    want=$(head -n 1 "$file" | sed -n 's/^-- expect: //p')
    [[ -n $want ]] || fail "$file: its first line must be -- expect: MESSAGE"
    run_in_empty "$name" "$(cd "$(dirname "$file")" && pwd)/$(basename "$file")"
    [[ $rc -eq 2 ]] || fail "$name: netstep run exited with $rc, expected 2"
    grep -qF -- "$want" "$work/$name.err" || fail "$name: stderr lacks \"$want\""
    n=$((n + 1))
done

for file in "$bad"/lua_*.lua; do
    name=bad.$(basename "$file" .lua)
    run_in_empty "$name" "$file"
    [[ $rc -eq 2 ]] || fail "$name: netstep run exited with $rc, expected 2"
    [[ -s $work/$name.err ]] || fail "$name: exit 2 without a message"
    n=$((n + 1))
done

# The limits are the command line's: a small script fails under a small
# budget or cap and passes with the defaults.
small=$work/small.lua
cat >"$small" <<'EOF'
host{name = "pc1", interfaces = {{name = "eth0", ip = "10.0.0.1/24"}}}
local t = {}
for i = 1, 100000 do t[i] = string.rep("x", 20) .. i end
expect(#t == 100000, "built a table of 100000 strings")
EOF
run_in_empty small.default "$small"
[[ $rc -eq 0 ]] || fail "small.lua exited with $rc under the default limits, expected 0"
run_in_empty small.instructions "$small" --lua-instructions 10000
[[ $rc -eq 2 ]] || fail "small.lua under --lua-instructions 10000 exited with $rc, expected 2"
grep -qF "instruction budget exhausted (10000 instructions; raise it with --lua-instructions)" \
    "$work/small.instructions.err" || fail "no budget message for --lua-instructions 10000"
run_in_empty small.memory "$small" --lua-memory 1
[[ $rc -eq 2 ]] || fail "small.lua under --lua-memory 1 exited with $rc, expected 2"
grep -qF "memory limit exceeded (1 MiB; raise it with --lua-memory)" "$work/small.memory.err" ||
    fail "no memory message for --lua-memory 1"
rc=0
"$netstep" validate "$small" --lua-instructions 10000 >"$work/validate.out" 2>"$work/validate.err" ||
    rc=$?
[[ $rc -eq 2 ]] || fail "validate --lua-instructions 10000 exited with $rc, expected 2"
rc=0
"$netstep" check --jobs 1 --lua-memory 1 "$small" >"$work/check.out" 2>"$work/check.err" || rc=$?
[[ $rc -eq 2 ]] || fail "check --lua-memory 1 exited with $rc, expected 2"
grep -qF "memory limit exceeded" "$work/check.out" || fail "check does not show the memory message"
echo "ok: $n scripts stopped with exit 2 and nothing written; limits follow the command line"
