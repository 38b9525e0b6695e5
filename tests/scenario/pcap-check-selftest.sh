#!/usr/bin/env bash
# pcap-check-selftest.sh - scripts/pcap-check accepts clean files and rejects broken ones.
#
# Usage: pcap-check-selftest.sh PCAP_CHECK WORKDIR
# Builds small pcapng files with make-pcaps.py (a clean one, an empty one,
# and one per kind of damage) and checks pcap-check's verdict and exit
# status on each, so a check that silently passes everything cannot hide.
# Without tshark the test is skipped (exit 77).
set -euo pipefail
pcap_check=$1
here=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=lib.sh
source "$here/lib.sh"
setup_work "$2"

if ! command -v tshark >/dev/null 2>&1; then
    echo "tshark not found: skipped (scripts/deps installs it)"
    exit 77
fi

# kind, expected exit status, expected words in the report
cases=(
    "good 0 2 frames, 0 malformed, 0 bad checksums, 0 expert errors: ok"
    "empty 0 0 frames, 0 malformed, 0 bad checksums, 0 expert errors: ok"
    "badip 1 1 bad checksums"
    "badicmp 1 1 bad checksums"
    "trunc 1 1 malformed"
    "garbage 1 1 malformed"
    "cut 1 FAILED"
)
for c in "${cases[@]}"; do
    read -r kind want words <<<"$c"
    python3 "$here/make-pcaps.py" "$kind" "$work/$kind.pcapng"
    run "$kind" "$pcap_check" "$work/$kind.pcapng"
    no_crash "$kind"
    [[ $rc -eq $want ]] || fail "pcap-check on a '$kind' capture exited with $rc, expected $want"
    grep -qF -- "$words" "$work/$kind.out" || fail "pcap-check's report on '$kind' lacks \"$words\""
    echo "ok: $kind -> exit $rc"
done
