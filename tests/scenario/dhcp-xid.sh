#!/usr/bin/env bash
# dhcp-xid.sh - tshark, the referee, reads the DHCP of the dhcp-dora scenario
# as we mean it: every DHCP frame decodes (no malformed, and as many DHCP
# frames as netstep's wire log counted), and each client's exchange is a
# Discover, Offer, Request and ACK under one transaction id.
#
# Usage: dhcp-xid.sh NETSTEP SCENARIO WORKDIR   (exit 77 without tshark)
set -euo pipefail
netstep=$1 scenario=$2
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$3"
command -v tshark >/dev/null 2>&1 || { echo "tshark not found: skipped"; exit 77; }

pcap=$work/capture.pcapng
run netstep "$netstep" run "$scenario" --pcap "$pcap"
no_crash netstep
[[ $rc -eq 0 ]] || fail "netstep run $scenario exited with $rc, expected 0"
ours=$(grep -c ' DHCP 342 DHCP ' "$work/netstep.out" || true)

run tshark tshark -r "$pcap" -Y dhcp -T fields -e dhcp.id -e dhcp.option.dhcp
[[ $rc -eq 0 ]] || fail "tshark could not read $pcap"
theirs=$(grep -c . "$work/tshark.out" || true)
[[ $theirs -eq $ours && $ours -gt 0 ]] ||
    fail "tshark decoded $theirs DHCP frames, the wire log shows $ours"
run malformed tshark -r "$pcap" -Y '_ws.malformed || _ws.expert.severity >= "error"'
[[ ! -s $work/malformed.out ]] || fail "tshark finds malformed frames: $(head -3 "$work/malformed.out")"

# one line per transaction id: the message types seen under it (1 Discover,
# 2 Offer, 3 Request, 5 ACK), each frame counted once per cable it crossed
summary=$(sort -u "$work/tshark.out" | awk '{t[$1] = t[$1] $2} END {for (x in t) print x, t[x]}' |
          sort)
echo "$summary"
xids=$(echo "$summary" | wc -l)
[[ $xids -eq 2 ]] || fail "expected 2 transaction ids (one per laptop), got $xids"
while read -r xid types; do
    [[ $types == 1235 ]] || fail "transaction $xid carries message types $types, expected 1235"
done <<<"$summary"
echo "ok: $ours DHCP frames, 2 exchanges of Discover, Offer, Request, ACK"
