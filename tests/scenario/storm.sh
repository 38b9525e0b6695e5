#!/usr/bin/env bash
# storm.sh - a switching loop is bounded: warned about, not spun forever.
#
# Usage: storm.sh NETSTEP SCENARIO WORKDIR
# Two switches joined by two cables; one ping floods ARP around the loop.
# `netstep run --quiet` must come back (ctest's TIMEOUT guards the
# "forever"), exit 0 or 1 (the ping may well fail) without crashing, and
# print a line that mentions the storm. (--quiet: the wire log of a storm
# runs to millions of lines; warnings are printed anyway. The scenario's
# name and description avoid the word, so only the warning can match.)
set -euo pipefail
netstep=$1 scenario=$2
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$3"

run storm "$netstep" run "$scenario" --quiet
no_crash storm
[[ $rc -le 1 ]] || fail "netstep run $scenario exited with $rc, expected 0 or 1"
line=$(cat "$work/storm.out" "$work/storm.err" | grep -i -m 1 storm || true)
[[ -n $line ]] || fail "no line mentions the storm"
echo "ok (exit $rc): $line"
