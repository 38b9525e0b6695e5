#!/usr/bin/env bash
# check-all.sh - `netstep check` over every bundled scenario and lab, as CI runs it.
#
# Usage: check-all.sh NETSTEP WORKDIR SCENARIO...
# `netstep check --jobs 2 --junit WORKDIR/junit.xml SCENARIO...` must exit 0,
# end with the line "N passed, 0 failed" (N = number of scenarios), and write
# well-formed JUnit XML with one <testcase> per scenario.
set -euo pipefail
netstep=$1
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$2"
shift 2
n=$#
[[ $n -gt 0 ]] || fail "no scenarios given"

junit=$work/junit.xml
run check "$netstep" check --jobs 2 --junit "$junit" "$@"
no_crash check
[[ $rc -eq 0 ]] || fail "netstep check exited with $rc, expected 0"
last_line=$(tail -n 1 "$work/check.out")
[[ $last_line =~ ^[0-9]+\ passed,\ 0\ failed$ ]] ||
    fail "last line of stdout is \"$last_line\", expected \"N passed, 0 failed\""
[[ ${last_line%% *} -eq $n ]] || fail "\"$last_line\" but $n scenarios were given"

[[ -s $junit ]] || fail "no JUnit file at $junit"
python3 - "$junit" "$n" <<'PY' || fail "bad JUnit XML in $junit"
# Well-formed, and one <testcase> per scenario.
import sys
import xml.dom.minidom

path, want = sys.argv[1], int(sys.argv[2])
try:
    doc = xml.dom.minidom.parse(path)
except Exception as e:  # noqa: BLE001 - any parse error is a failure
    sys.exit(f"{path}: not well-formed XML: {e}")
cases = doc.getElementsByTagName("testcase")
names = [c.getAttribute("name") for c in cases]
if len(cases) != want:
    sys.exit(f"{path}: {len(cases)} testcases for {want} scenarios: {names}")
bad = [c.getAttribute("name") for c in cases
       if c.getElementsByTagName("failure") or c.getElementsByTagName("error")]
if bad:
    sys.exit(f"{path}: failures reported for {bad}")
print(f"junit ok: {len(cases)} testcases")
PY
echo "ok: $last_line"
