#!/usr/bin/env bash
# dns-answers.sh - tshark reads the DNS of the dns-lookup scenario as we
# mean it: the answers (A through a CNAME, NXDOMAIN, REFUSED for a name
# outside the zones), a UDP answer too big for 512 bytes truncated (TC) and
# the same question answered whole over TCP port 53; no malformed frame.
#
# Usage: dns-answers.sh NETSTEP SCENARIO WORKDIR   (exit 77 without tshark)
set -euo pipefail
netstep=$1 scenario=$2
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$3"
command -v tshark >/dev/null 2>&1 || { echo "tshark not found: skipped"; exit 77; }

pcap=$work/capture.pcapng
run netstep "$netstep" run "$scenario" --quiet --pcap "$pcap"
no_crash netstep
[[ $rc -eq 0 ]] || fail "netstep run $scenario exited with $rc, expected 0"
run malformed tshark -r "$pcap" -Y '_ws.malformed || _ws.expert.severity >= "error"'
[[ ! -s $work/malformed.out ]] || fail "tshark finds malformed frames: $(head -3 "$work/malformed.out")"

# one line per answer the server sent: transport, name, type, rcode, TC, addresses
run answers tshark -r "$pcap" -Y 'dns.flags.response == 1 && frame.interface_name == "ns1:eth0"' \
    -T fields -e ip.proto -e dns.qry.name -e dns.qry.type -e dns.flags.rcode \
    -e dns.flags.truncated -e dns.a
[[ $rc -eq 0 ]] || fail "tshark could not read $pcap"
answers=$work/answers.out
cat "$answers"

# expect PATTERN WHAT: some answer line matches the extended regex
expect() {
    grep -Eq "$1" "$answers" || fail "no answer $2 (pattern $1)"
}
tab=$'\t'
expect "^17${tab}www\.galaxy\.test${tab}1${tab}0${tab}(0|False)${tab}10\.61\.0\.20$" \
    "for www.galaxy.test A (a CNAME to web.galaxy.test, 10.61.0.20)"
expect "^17${tab}nope\.galaxy\.test${tab}1${tab}3${tab}" "NXDOMAIN for nope.galaxy.test"
expect "^17${tab}example\.com${tab}1${tab}5${tab}" "REFUSED for example.com (not in the zones)"
expect "^17${tab}mirrors\.galaxy\.test${tab}1${tab}0${tab}(1|True)${tab}$" \
    "truncated (TC, no records) over UDP for mirrors.galaxy.test"
expect "^6${tab}mirrors\.galaxy\.test${tab}1${tab}0${tab}(0|False)${tab}10\.61\.1\.1,.*10\.61\.1\.30$" \
    "over TCP with all 30 addresses for mirrors.galaxy.test"
echo "ok: A, CNAME, NXDOMAIN, REFUSED, TC over UDP and the whole answer over TCP"
