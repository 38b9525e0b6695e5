#!/usr/bin/env bash
# starttls.sh - SMTP submission with STARTTLS (port 587): in the
# smtp-starttls scenario the message sent after STARTTLS reaches the
# mailbox (POP3S shows it) but its secret appears nowhere in the capture's
# bytes, while EHLO, STARTTLS and the 220 reply travel in clear on the
# same TCP stream; tshark decodes SMTP and then TLS on that stream with no
# malformed frame; with --layers the key log decrypts the SMTP inside the
# TLS records without changing a byte on the wire.
#
# Usage: starttls.sh NETSTEP SCENARIO WORKDIR
set -euo pipefail
netstep=$1 scenario=$2
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$3"

pcap=$work/capture.pcapng
run netstep "$netstep" run "$scenario" --pcap "$pcap"
no_crash netstep
[[ $rc -eq 0 ]] || fail "netstep run $scenario exited with $rc, expected 0"
grep -qF 'with ESMTPS id' "$work/netstep.out" || fail "the message did not arrive over TLS"
[[ -s $pcap ]] || fail "no capture"
if LC_ALL=C grep -aqF 'STARTTLS-WRAPS' "$pcap"; then
    fail "the secret sent after STARTTLS is readable in the capture"
fi
LC_ALL=C grep -aqF '220 2.0.0 Ready to start TLS' "$pcap" ||
    fail "the STARTTLS reply should travel in clear, and does not"

run layers "$netstep" run "$scenario" --layers --pcap "$work/layers.pcapng"
no_crash layers
grep -qF 'SMTP: C: ehlo pc1.student.test [decrypted TLS]' "$work/layers.out" ||
    fail "--layers does not show the SMTP decrypted after STARTTLS"
cmp -s "$pcap" "$work/layers.pcapng" || fail "--layers changed the capture"

if command -v tshark >/dev/null 2>&1; then
    run proto tshark -r "$pcap" -Y 'tcp.port == 587 && tcp.len > 0' -T fields -e _ws.col.Protocol
    grep -qx 'SMTP' "$work/proto.out" || fail "tshark sees no SMTP on port 587"
    grep -q '^TLSv1' "$work/proto.out" || fail "tshark sees no TLS on port 587 after STARTTLS"
    run hello tshark -r "$pcap" -Y 'tcp.port == 587 && tls.handshake.type == 1' -T fields \
        -e tls.handshake.extensions_server_name
    grep -qx 'mail' "$work/hello.out" || fail "tshark finds no Client Hello for mail on port 587"
    run malformed tshark -r "$pcap" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
        -Y '_ws.malformed || _ws.expert.severity >= "error"'
    [[ ! -s $work/malformed.out ]] || fail "tshark finds malformed frames: $(head -3 "$work/malformed.out")"
fi
echo "ok: STARTTLS on 587 hides the message; the dialogue before it is in clear"
