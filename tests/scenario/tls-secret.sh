#!/usr/bin/env bash
# tls-secret.sh - what TLS hides: in the https scenario, the page fetched
# over HTTPS only (FLAG{ONLY-TLS-HIDES-ME}) reaches curl (its expectation
# passes) but appears nowhere in the capture's bytes, while the page fetched
# over plain HTTP (FLAG{ANYONE-CAN-READ-ME}) is there for anyone to read.
# With --layers the key log decrypts the HTTPS request for the classroom
# view without changing a byte on the wire, runs repeat byte for byte, and
# tshark sees TLS 1.3 with no malformed frame.
#
# Usage: tls-secret.sh NETSTEP SCENARIO WORKDIR
set -euo pipefail
netstep=$1 scenario=$2
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$3"

pcap=$work/capture.pcapng
run netstep "$netstep" run "$scenario" --pcap "$pcap"
no_crash netstep
[[ $rc -eq 0 ]] || fail "netstep run $scenario exited with $rc, expected 0"
grep -qF 'PASS timeline[2] pc1$ curl https://www.harbor.test/vault.html: output contains "FLAG{ONLY-TLS-HIDES-ME}"' \
    "$work/netstep.out" || fail "curl over HTTPS did not get the vault's flag"
[[ -s $pcap ]] || fail "no capture"

# the capture's bytes, searched as bytes
if LC_ALL=C grep -aqF 'FLAG{ONLY-TLS-HIDES-ME}' "$pcap"; then
    fail "the HTTPS secret is readable in the capture"
fi
LC_ALL=C grep -aqF 'ONLY-TLS' "$pcap" && fail "part of the HTTPS secret is readable in the capture"
LC_ALL=C grep -aqF 'FLAG{ANYONE-CAN-READ-ME}' "$pcap" ||
    fail "the HTTP secret should be readable in the capture, and is not"
# ... nor in the per-interface captures
mkdir -p "$work/pcaps"
run perif "$netstep" run "$scenario" --quiet --pcap-dir "$work/pcaps"
no_crash perif
if LC_ALL=C grep -raqF 'ONLY-TLS-HIDES-ME' "$work/pcaps"; then
    fail "the HTTPS secret is readable in a per-interface capture"
fi

# the classroom view decrypts with the key log, and looking changes nothing
# on the wire: the same bytes with and without --layers, run after run
run layers "$netstep" run "$scenario" --layers --pcap "$work/layers.pcapng"
no_crash layers
grep -qF 'HTTP: GET /vault.html HTTP/1.1 [decrypted TLS]' "$work/layers.out" ||
    fail "--layers does not show the decrypted HTTPS request"
cmp -s "$pcap" "$work/layers.pcapng" || fail "--layers changed the capture"
run again "$netstep" run "$scenario" --quiet --pcap "$work/again.pcapng"
cmp -s "$pcap" "$work/again.pcapng" || fail "two runs with one seed gave different captures"

if command -v tshark >/dev/null 2>&1; then
    run tshark tshark -r "$pcap" -Y 'tls.handshake.type == 1' -T fields \
        -e tls.handshake.extensions_server_name
    grep -qx 'www.harbor.test' "$work/tshark.out" || fail "tshark finds no Client Hello for www.harbor.test"
    run tshark13 tshark -r "$pcap" -Y 'tls.handshake.extensions.supported_version == 0x0304 && tls.handshake.type == 2'
    [[ -s $work/tshark13.out ]] || fail "tshark sees no TLS 1.3 Server Hello"
    run appdata tshark -r "$pcap" -Y 'tls.record.opaque_type == 23 || tls.record.content_type == 23'
    [[ -s $work/appdata.out ]] || fail "tshark sees no Application Data record"
    run malformed tshark -r "$pcap" -Y '_ws.malformed || _ws.expert.severity >= "error"'
    [[ ! -s $work/malformed.out ]] || fail "tshark finds malformed frames: $(head -3 "$work/malformed.out")"
fi
echo "ok: the HTTPS secret reached curl and is not in the capture; the HTTP one is"
