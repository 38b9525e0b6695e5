#!/usr/bin/env bash
# bad-input.sh - a broken scenario gets a clear error and exit 2, never a crash.
#
# Usage: bad-input.sh NETSTEP FILE EXPECT WORKDIR
# EXPECT is FILE's sidecar (NAME.expect): every non-empty line of it must
# appear in the stderr of `netstep validate FILE`, which must exit exactly 2;
# `netstep run FILE` must exit 2 as well. A signal or a sanitizer report
# fails the test.
set -euo pipefail
netstep=$1 file=$2 expect=$3
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$4"

[[ -f $expect ]] || fail "missing sidecar $expect (one substring of the expected error per line)"

run validate "$netstep" validate "$file"
no_crash validate
[[ $rc -eq 2 ]] || fail "netstep validate $file exited with $rc, expected 2"
while IFS= read -r want || [[ -n $want ]]; do
    want=${want%$'\r'}
    [[ -z $want ]] && continue
    grep -qF -- "$want" "$work/validate.err" ||
        fail "stderr of netstep validate lacks \"$want\""
done <"$expect"

run run "$netstep" run "$file" --quiet
no_crash run
[[ $rc -eq 2 ]] || fail "netstep run $file exited with $rc, expected 2"
echo "ok: $(head -n 1 "$work/validate.err")"
