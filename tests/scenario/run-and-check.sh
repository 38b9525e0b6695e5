#!/usr/bin/env bash
# run-and-check.sh - a bundled scenario runs cleanly and its capture is clean.
#
# Usage: run-and-check.sh NETSTEP SCENARIO WORKDIR PCAP_CHECK
# `netstep run SCENARIO --quiet --pcap WORKDIR/capture.pcapng` must exit 0
# (every expectation held) without crashing, then scripts/pcap-check must
# accept the capture. Without tshark the pcap part is skipped (exit 77).
set -euo pipefail
netstep=$1 scenario=$2 pcap_check=$4
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$3"

pcap=$work/capture.pcapng
run netstep "$netstep" run "$scenario" --quiet --pcap "$pcap"
no_crash netstep
[[ $rc -eq 0 ]] || fail "netstep run $scenario exited with $rc, expected 0"
[[ -s $pcap ]] || fail "no capture written to $pcap"

if ! command -v tshark >/dev/null 2>&1; then
    echo "tshark not found: pcap check skipped (scripts/deps installs it)"
    exit 77
fi
run pcap-check "$pcap_check" "$pcap"
cat "$work/pcap-check.out"
[[ $rc -eq 0 ]] || fail "pcap-check rejected the capture of $scenario"
