#!/usr/bin/env bash
# tcp-analysis.sh - tshark's TCP analysis, the referee's opinion of our TCP:
# on a clean link (tcp-handshake) it flags nothing at all - no
# retransmission, duplicate ACK, out-of-order or lost segment; on a lossy one
# (tcp-loss) it sees retransmissions and duplicate ACKs, and nothing it calls
# an error. Both captures decode without a malformed frame.
#
# Usage: tcp-analysis.sh NETSTEP CLEAN_SCENARIO LOSSY_SCENARIO WORKDIR
# (exit 77 without tshark)
set -euo pipefail
netstep=$1 clean=$2 lossy=$3
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$4"
command -v tshark >/dev/null 2>&1 || { echo "tshark not found: skipped"; exit 77; }

# flags NAME SCENARIO: runs it and lists "frame flags" for every TCP frame
# tshark's analysis flagged, in $work/NAME-flags.out
flags() {
    local pcap=$work/$1.pcapng
    run "$1" "$netstep" run "$2" --quiet --pcap "$pcap"
    no_crash "$1"
    [[ $rc -eq 0 ]] || fail "netstep run $2 exited with $rc, expected 0"
    run "$1-malformed" tshark -r "$pcap" -o tcp.check_checksum:TRUE \
        -Y '_ws.malformed || _ws.expert.severity >= "error"'
    [[ ! -s $work/$1-malformed.out ]] ||
        fail "$2: tshark finds errors: $(head -3 "$work/$1-malformed.out")"
    run "$1-flags" tshark -r "$pcap" -Y tcp.analysis.flags -T fields -e frame.number \
        -e _ws.col.Info
    [[ $rc -eq 0 ]] || fail "tshark could not read $pcap"
}

flags clean "$clean"
[[ ! -s $work/clean-flags.out ]] ||
    fail "$clean: TCP analysis flags on a link without loss: $(head -3 "$work/clean-flags.out")"

flags lossy "$lossy"
retrans=$(grep -c 'Retransmission\]' "$work/lossy-flags.out" || true)
dupack=$(grep -c 'Dup ACK' "$work/lossy-flags.out" || true)
[[ $retrans -gt 0 ]] || fail "$lossy: no retransmission under 10% loss"
[[ $dupack -gt 0 ]] || fail "$lossy: no duplicate ACK under 10% loss"
other=$(grep -v -e 'Retransmission\]' -e 'Dup ACK' -e 'Previous segment not captured' \
            -e 'Out-Of-Order' -e 'Spurious Retransmission' "$work/lossy-flags.out" || true)
[[ -z $other ]] || fail "$lossy: unexpected TCP analysis flags: $(head -3 <<<"$other")"
echo "ok: no flags without loss; $retrans retransmissions and $dupack duplicate ACKs with loss"
