# lib.sh - helpers the scenario-level test scripts source (not run alone).
#
# run NAME CMD...   runs CMD with stdout and stderr saved to $work/NAME.out
#                   and $work/NAME.err, and sets $rc; never exits by itself.
# no_crash NAME     fails the test if that run died of a signal (status >= 128)
#                   or a sanitizer reported anything (UBSan's halt_on_error
#                   exits with 1 and LeakSanitizer with 23, so the status
#                   alone does not tell).
# fail MSG          prints MSG (and the last run's output) and exits 1.
# Set $work (a directory of this test's own) before calling them.
# shellcheck shell=bash

rc=0
last=""

run() {
    last=$1
    shift
    rc=0
    "$@" >"$work/$last.out" 2>"$work/$last.err" </dev/null || rc=$?
}

show_last() {
    [[ -n $last ]] || return 0
    echo "--- $last: exit status $rc; stdout (last 30 lines):"
    tail -n 30 "$work/$last.out" || true
    echo "--- $last: stderr (last 30 lines):"
    tail -n 30 "$work/$last.err" || true
}

fail() {
    echo "FAIL: $*"
    show_last
    exit 1
}

no_crash() {
    local name=$1
    if [[ $rc -ge 128 ]]; then
        fail "$name: killed by signal $((rc - 128)) (exit status $rc)"
    fi
    if grep -qE 'ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer' \
        "$work/$name.err"; then
        fail "$name: sanitizer report"
    fi
}

# The fresh per-test directory under the build tree: $work.
setup_work() {
    work=$1
    rm -rf "$work"
    mkdir -p "$work"
}
