#!/usr/bin/env bash
# expect-exit.sh - a command exits with exactly the expected status.
#
# Usage: expect-exit.sh WORKDIR STATUS [--output-matches ERE] -- CMD ARGS...
# Runs CMD (stdin from /dev/null), checks its exit status is STATUS, that it
# did not crash (signal or sanitizer report) and, if asked, that its stdout
# or stderr has a line matching the extended regex ERE. Used for the CLI
# misuse tests (bad command lines must exit 2 with a message, not crash).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$1"
want=$2
shift 2
regex=""
while [[ $# -gt 0 && $1 != -- ]]; do
    case $1 in
    --output-matches) regex=$2; shift 2 ;;
    *) echo "expect-exit.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[[ ${1:-} == -- ]] && shift

run cmd "$@"
no_crash cmd
[[ $rc -eq $want ]] || fail "$* exited with $rc, expected $want"
if [[ $want -eq 2 && ! -s $work/cmd.err ]]; then
    fail "$* exited with 2 but printed no message on stderr"
fi
if [[ -n $regex ]] && ! cat "$work/cmd.out" "$work/cmd.err" | grep -qE -- "$regex"; then
    fail "no output line of $* matches /$regex/"
fi
echo "ok: exit $rc"
