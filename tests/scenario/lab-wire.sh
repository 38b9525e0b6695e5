#!/usr/bin/env bash
# lab-wire.sh - what a lab says about the wire holds in its capture: on one
# interface's capture tshark decodes the protocol the lab names on each port
# (HTTP on 80, TLS on 443, DHCP on 67...), and the capture's bytes hold the
# secrets the lab shows in clear and none of those it says TLS hides.
#
# Usage: lab-wire.sh NETSTEP SCENARIO WORKDIR NODE_IFACE CHECK...
#   NODE_IFACE   the per-interface capture to read, as --pcap-dir names it
#                (analyst_eth0 for analyst:eth0)
#   PORT=PROTO   some frame to or from TCP/UDP port PORT shows PROTO in
#                tshark's Protocol column (PROTO may not hold spaces)
#   +TEXT        TEXT is somewhere in the whole-network capture's bytes
#   -TEXT        TEXT is nowhere in any capture's bytes
# Without tshark the PORT=PROTO checks are skipped (exit 77 at the end).
set -euo pipefail
netstep=$1 scenario=$2 iface=$4
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$3"
shift 4

pcap=$work/capture.pcapng
mkdir -p "$work/pcaps"
run netstep "$netstep" run "$scenario" --quiet --pcap "$pcap"
no_crash netstep
[[ $rc -eq 0 ]] || fail "netstep run $scenario exited with $rc, expected 0"
run perif "$netstep" run "$scenario" --quiet --pcap-dir "$work/pcaps"
no_crash perif
one=$work/pcaps/$iface.pcap
[[ -s $one ]] || fail "no capture $one"

have_tshark=true
command -v tshark >/dev/null 2>&1 || have_tshark=false
for check in "$@"; do
    case $check in
    +*)
        LC_ALL=C grep -aqF -- "${check:1}" "$pcap" ||
            fail "\"${check:1}\" should be readable in the capture, and is not"
        ;;
    -*)
        if LC_ALL=C grep -raqF -- "${check:1}" "$pcap" "$work/pcaps"; then
            fail "\"${check:1}\" is readable in a capture"
        fi
        ;;
    *=*)
        $have_tshark || continue
        port=${check%%=*} proto=${check#*=}
        run "port$port" tshark -r "$one" -Y "tcp.port == $port || udp.port == $port" \
            -T fields -e _ws.col.Protocol
        grep -qx -- "$proto" "$work/port$port.out" ||
            fail "no frame on port $port decodes as $proto in $iface: $(sort -u "$work/port$port.out" | tr '\n' ' ')"
        ;;
    *) fail "bad check \"$check\"" ;;
    esac
done
$have_tshark || {
    echo "tshark not found: protocol checks skipped"
    exit 77
}
echo "ok: $# wire checks on $(basename "$scenario")"
