#!/usr/bin/env bash
# determinism.sh - same scenario + same seed => byte-identical capture.
#
# Usage: determinism.sh NETSTEP WORKDIR ROUTED_LANS LOSSY TCP_LOSS
# ROUTED_LANS runs twice with one seed: the pcapng files must be identical.
# LOSSY (a cable with 30% loss) runs with --seed 1 twice (identical) and with
# --seed 2 (which loses other frames, so the bytes must differ: the seed is
# really used). TCP_LOSS (TCP retransmitting over a lossy cable) runs twice
# with one seed: retransmission timers, duplicate ACKs and random initial
# sequence numbers must all come out the same.
set -euo pipefail
netstep=$1 routed=$3 lossy=$4 tcploss=$5
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$2"

# capture NAME SCENARIO SEED: run with --pcap $work/NAME.pcapng
capture() {
    [[ -f $2 ]] || fail "missing scenario $2"
    run "$1" "$netstep" run "$2" --quiet --seed "$3" --pcap "$work/$1.pcapng"
    no_crash "$1"
    # Exit 1 (an expectation failed) still leaves a capture to compare.
    [[ $rc -le 1 ]] || fail "netstep run $2 --seed $3 exited with $rc"
    [[ -s $work/$1.pcapng ]] || fail "no capture written for $1"
}

capture routed-a "$routed" 42
capture routed-b "$routed" 42
cmp "$work/routed-a.pcapng" "$work/routed-b.pcapng" ||
    fail "$routed: two runs with seed 42 gave different captures"

capture lossy-1a "$lossy" 1
capture lossy-1b "$lossy" 1
capture lossy-2 "$lossy" 2
cmp "$work/lossy-1a.pcapng" "$work/lossy-1b.pcapng" ||
    fail "$lossy: two runs with seed 1 gave different captures"
if cmp -s "$work/lossy-1a.pcapng" "$work/lossy-2.pcapng"; then
    fail "$lossy: seeds 1 and 2 gave identical captures (is the seed used for loss?)"
fi
capture tcp-a "$tcploss" 9
capture tcp-b "$tcploss" 9
cmp "$work/tcp-a.pcapng" "$work/tcp-b.pcapng" ||
    fail "$tcploss: two runs with seed 9 gave different captures"
echo "ok: identical with one seed, different with another; TCP under loss identical"
