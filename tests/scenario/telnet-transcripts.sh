#!/usr/bin/env bash
# telnet-transcripts.sh - the core protocols lab (scenarios/labs/03-core-
# protocols.json) as the teaching notes show it. What the student PC's
# sessions print has the shape of the notes' transcripts: the server's
# replies in the notes' order (SMTP 220 250 250 250 354 250 221; POP3 +OK
# lines, LIST ended by '.', RETR's octets; IMAP's untagged '*' lines then the
# tagged OK; HTTP's status line, fields, empty line, body; FTP's 200 PORT or
# 227, 150, 226), the sizes the servers announce (Content-Length, POP3
# octets and LIST sizes, IMAP literals) are the sizes they send, each of the
# lab's six flags is found, and the mail sent over SMTP comes back over POP3
# and IMAP with the queue id of SMTP's 250. Then tshark, on the capture of
# the student PC's interface, decodes the right protocol on each port (DNS
# 53, WHOIS 43, HTTP 80, FTP 21, SMTP 25, POP 110, IMAP 143, FTP-DATA on
# both active and passive data connections) with no undecoded payload, and
# finds the reply codes and commands in its own fields; the whole network's
# capture passes scripts/pcap-check (no malformed frame or bad checksum).
#
# Usage: telnet-transcripts.sh NETSTEP SCENARIO WORKDIR
# The transcript checks always run; without tshark the rest is skipped and
# the test says so (exit 77).
set -euo pipefail
netstep=$1 scenario=$2
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
setup_work "$3"
client=bench

pcap=$work/capture.pcapng
mkdir -p "$work/pcaps"
run netstep "$netstep" run "$scenario" --pcap "$pcap" --pcap-dir "$work/pcaps"
no_crash netstep
[[ $rc -eq 0 ]] || fail "netstep run $scenario exited with $rc, expected 0"
out=$work/netstep.out

# ---- the sessions: session.N.txt is what the Nth command on $client printed ----
awk -v c="$client" -v dir="$work" '
    index($0, c "$ ") == 1 { n++; f = dir "/session." n ".txt"
                             print substr($0, length(c) + 3) > (dir "/commands.txt")
                             printf "" > f; next }
    index($0, c "| ") == 1 && n { print substr($0, length(c) + 3) > f }' "$out"
[[ -s $work/commands.txt ]] || fail "no command of $client in the output"

# session CMD [K]: the file of the Kth (default 1st) run of CMD
session() {
    local k
    k=$(awk -v cmd="$1" -v want="${2:-1}" '$0 == cmd && ++seen == want { print NR; exit }' \
        "$work/commands.txt")
    if [[ -z $k ]]; then # in $(...): say it on stderr, the caller's set -e stops
        echo "FAIL: no command \"$1\" (run ${2:-1}) in the output" >&2
        return 1
    fi
    echo "$work/session.$k.txt"
}

# in_order FILE WHAT PATTERN...: lines matching each extended regex (the
# whole line) appear in FILE in this order, other lines between them allowed.
# (bash's =~, not awk: mawk knows no {n} intervals.)
in_order() {
    local file=$1 what=$2
    shift 2
    local pats=("$@") k=0 line
    while ((k < ${#pats[@]})) && IFS= read -r line; do
        if [[ $line =~ ^(${pats[k]})$ ]]; then
            k=$((k + 1))
        fi
    done <"$file"
    if ((k < ${#pats[@]})); then
        echo "--- $what, as printed:"
        cat "$file"
        fail "$what: no line matching ^(${pats[k]})\$ where the notes' transcript has one (after ${k} that did)"
    fi
}

# exactly FILE WHAT PATTERN...: FILE is these lines, one pattern per line.
exactly() {
    local file=$1 what=$2
    shift 2
    local n
    n=$(wc -l <"$file")
    [[ $n -eq $# ]] || { cat "$file"; fail "$what: $n lines printed, the transcript has $#"; }
    in_order "$file" "$what" "$@"
}

# between FILE START END: the lines strictly between the first line equal to
# START and the next line equal to END after it.
between() {
    awk -v s="$2" -v e="$3" 'on && $0 == e { exit } on { print } !on && $0 == s { on = 1 }' "$1"
}

telnet_head=('Trying [0-9.]+\.\.\.' 'Connected to [a-z0-9]+\.' "Escape character is '\\^\\]'\\.")

# ---- DNS and WHOIS: the flags are in what dig and whois print ----
s=$(session "dig TXT emberwood.test")
in_order "$s" "dig TXT" ';; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: [0-9]+' \
    ';; ANSWER SECTION:' \
    'emberwood\.test\.'$'\t+''[0-9]+'$'\t''IN'$'\t''TXT'$'\t''"lab-note=NETSTEP\{TEXT-RECORDS-CARRY-ANYTHING\}"' \
    ';; SERVER: 10\.30\.0\.53#53\(10\.30\.0\.53\) \(UDP\)'
s=$(session "whois emberwood.test")
in_order "$s" "whois" ' *Domain Name: EMBERWOOD\.TEST' ' *Creation Date: 2001-09-14T10:30:00Z' \
    ' *Registrant Comment: NETSTEP\{REGISTRARS-REMEMBER-EVERYTHING\}' \
    '>>> Last update of whois database: [0-9T:Z-]+ <<<'

# ---- HTTP typed over telnet 80: status line, fields, empty line, body ----
for k in 1 2; do
    s=$(session "telnet web 80" $k)
    in_order "$s" "telnet web 80 (#$k)" "${telnet_head[@]}" 'HTTP/1\.1 200 OK' 'Server: .+' \
        'Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT' 'Content-Type: text/html' \
        'Content-Length: [0-9]+' 'Last-Modified: .+' 'Connection: keep-alive' '' '<!DOCTYPE html>' \
        'Connection closed\.'
    # the body is Content-Length bytes (LF line ends, as the file is written)
    length=$(sed -n 's/^Content-Length: //p' "$s")
    body=$(awk 'body && $0 == "Connection closed." { exit } body { n += length($0) + 1 }
        !body && $0 == "" { body = 1 } END { print n + 0 }' "$s")
    [[ $body -eq $length ]] || fail "telnet web 80 (#$k): Content-Length: $length, body of $body bytes"
done
s=$(session "telnet web 80" 1)
grep -q 'notes\.html' "$s" || fail "the home page does not point to /notes.html"
s=$(session "telnet web 80" 2)
in_order "$s" "GET /notes.html" '<div class="small">NETSTEP\{WHITE-ON-WHITE-BY-TELNET\}</div>'

# ---- FTP: active mode (200 PORT) then passive (227), one file both ways ----
s=$(session "ftp files")
in_order "$s" "ftp files" 'Connected to files\.' '220 \(vsFTPd 3\.0\.5\)' \
    'Name \(files:root\): anonymous' '331 Please specify the password\.' 'Password:' \
    '230 Login successful\.' 'Remote system type is UNIX\.' 'Using binary mode to transfer files\.' \
    'ftp> ls' '200 PORT command successful\. Consider using PASV\.' \
    '150 Here comes the directory listing\.' 'drwxr-xr-x +2 0 +0 +4096 [A-Z][a-z]{2} [ 0-9]{2}  [0-9]{4} pub' \
    '226 Directory send OK\.' \
    'ftp> get flag\.txt' 'local: flag\.txt remote: flag\.txt' \
    '200 PORT command successful\. Consider using PASV\.' \
    '150 Opening BINARY mode data connection for flag\.txt \(38 bytes\)\.' '226 Transfer complete\.' \
    '38 bytes received in [0-9.]+ secs \([0-9.]+ [kM]B/s\)' \
    'ftp> !cat flag\.txt' 'NETSTEP\{SECOND-CHANNEL-CARRIES-FILES\}' \
    'ftp> passive' 'Passive mode on\.' \
    'ftp> ls' '227 Entering Passive Mode \(10,30,0,21,[0-9]+,[0-9]+\)\.' \
    '150 Here comes the directory listing\.' '226 Directory send OK\.' \
    'ftp> get flag\.txt flag-passive\.txt' 'local: flag-passive\.txt remote: flag\.txt' \
    '227 Entering Passive Mode \(10,30,0,21,[0-9]+,[0-9]+\)\.' \
    '150 Opening BINARY mode data connection for flag\.txt \(38 bytes\)\.' '226 Transfer complete\.' \
    'ftp> !cat flag-passive\.txt' 'NETSTEP\{SECOND-CHANNEL-CARRIES-FILES\}' \
    'ftp> bye' '221 Goodbye\.'
active=$(sed '/^Passive mode on\.$/q' "$s")
passive=$(sed -n '/^Passive mode on\.$/,$p' "$s")
grep -q '^227 ' <<<"$active" && fail "ftp: a 227 before passive mode was turned on"
grep -q 'PORT' <<<"$passive" && fail "ftp: a PORT in passive mode"

# ---- POP3 over telnet 110: the notes' session, with AUTH's list first ----
s=$(session "telnet mail 110" 1)
in_order "$s" "telnet mail 110 (#1)" "${telnet_head[@]}" '\+OK .*ready\.' '\+OK' 'PLAIN' '\.' '\+OK' \
    '\+OK Logged in\.' '\+OK 3 [0-9]+' '\+OK 3 messages:' '1 [0-9]+' '2 [0-9]+' '3 [0-9]+' '\.' \
    '\+OK [0-9]+ octets' 'Subject: Your POP3 flag' 'NETSTEP\{POSTBOX-ON-PORT-110\}' '\.' \
    '\+OK Logging out\.' 'Connection closed by foreign host\.'
grep -q 'FOLDERS-STAY-ON-THE-SERVER' "$s" && fail "POP3 shows a message of an IMAP folder other than INBOX"
# pop3_sizes FILE N WHAT: STAT's total is the sum of LIST's sizes, and RETR N
# announces LIST's size for N and sends that many octets (CRLF line ends)
pop3_sizes() {
    local file=$1 n=$2 what=$3 stat listed sum retr sent
    stat=$(sed -n 's/^+OK [0-9]* \([0-9]*\)$/\1/p' "$file" | head -1)
    listed=$(between "$file" "+OK $(sed -n 's/^+OK \([0-9]*\) messages:$/\1/p' "$file") messages:" .)
    sum=$(awk '{ s += $2 } END { print s + 0 }' <<<"$listed")
    [[ $stat -eq $sum ]] || fail "$what: STAT says $stat octets, LIST adds up to $sum"
    retr=$(awk -v n="$n" '$1 == n { print $2 }' <<<"$listed")
    grep -qx "+OK $retr octets" "$file" || fail "$what: RETR $n does not announce LIST's $retr octets"
    sent=$(awk '$0 ~ /^\+OK [0-9]+ octets$/ { on = 1; next } on && $0 == "." { exit }
        on { l = $0; if (substr(l, 1, 1) == ".") l = substr(l, 2); s += length(l) + 2 }
        END { print s + 0 }' "$file")
    [[ $sent -eq $retr ]] || fail "$what: RETR $n announced $retr octets and sent $sent"
}
pop3_sizes "$s" 3 "telnet mail 110 (#1)"

# ---- IMAP over telnet 143: untagged '*' lines, then each tag's OK ----
# imap_literal FILE WHAT: the FETCH literal {N} is followed by N octets
imap_literal() {
    local file=$1 what=$2 want got
    want=$(sed -n 's/^\* [0-9]* FETCH (BODY\[\] {\([0-9]*\)}$/\1/p' "$file")
    got=$(awk '/^\* [0-9]+ FETCH \(BODY\[\] \{[0-9]+\}$/ { on = 1; next } on && $0 == ")" { exit }
        on { s += length($0) + 2 } END { print s + 0 }' "$file")
    [[ -n $want && $want -eq $got ]] || fail "$what: the literal announces {$want} and holds $got octets"
}
s=$(session "telnet mail 143" 1)
in_order "$s" "telnet mail 143 (#1)" "${telnet_head[@]}" \
    '\* OK \[CAPABILITY IMAP4rev1[^]]*\] .*ready\.' 'A OK \[CAPABILITY [^]]*\] Logged in' \
    '\* LIST \([^)]*\) "/" INBOX' '\* LIST \([^)]*\) "/" Archive' 'B OK List completed.*' \
    '\* FLAGS \([^)]*\)' '\* OK \[PERMANENTFLAGS \([^)]*\)\] .*' '\* 1 EXISTS' '\* [0-9]+ RECENT' \
    '\* OK \[UIDVALIDITY [0-9]+\] UIDs valid' '\* OK \[UIDNEXT [0-9]+\] Predicted next UID' \
    'C OK \[READ-WRITE\] Select completed.*' '\* 1 FETCH \(BODY\[\] \{[0-9]+\}' \
    'NETSTEP\{FOLDERS-STAY-ON-THE-SERVER\}' '\)' 'D OK Fetch completed.*' '\* BYE Logging out' \
    'E OK Logout completed.*' 'Connection closed by foreign host\.'
imap_literal "$s" "telnet mail 143 (#1)"

# ---- SMTP over telnet 25: exactly the notes' reply codes, in order ----
s=$(session "telnet mail 25")
exactly "$s" "telnet mail 25" "${telnet_head[@]}" '220 .+ ESMTP .*' '250 .+' '250 .+' '250 .+' \
    '354 .+' '250 .+' '221 .+' 'Connection closed by foreign host\.'
queue_id=$(sed -n 's/^250 .*queued as \([0-9A-F]*\)$/\1/p' "$s")
[[ -n $queue_id ]] || fail "SMTP's 250 after the dot names no queue id"

# ---- the mail sent comes back over POP3 and over IMAP ----
mail_back=('Return-Path: <student@bench\.test>' 'Received: from bench\.test \(unknown \[10\.20\.0\.10\]\)'
    "$(printf '\t')by mail\\.emberwood\\.test \\(Postfix\\) with SMTP id $queue_id" 'Subject: Typed by hand' ''
    'Hello Rowan, I sent this mail with telnet, one SMTP command at a time\.')
s=$(session "telnet mail 110" 2)
in_order "$s" "telnet mail 110 (#2)" "${telnet_head[@]}" '\+OK .*ready\.' '\+OK' '\+OK Logged in\.' \
    '\+OK 4 [0-9]+' '\+OK 4 messages:' '4 [0-9]+' '\.' '\+OK [0-9]+ octets' "${mail_back[@]}" '\.' \
    '\+OK Logging out\.' 'Connection closed by foreign host\.'
pop3_sizes "$s" 4 "telnet mail 110 (#2)"
s=$(session "telnet mail 143" 2)
in_order "$s" "telnet mail 143 (#2)" "${telnet_head[@]}" '\* OK \[CAPABILITY IMAP4rev1[^]]*\] .*ready\.' \
    'A OK \[CAPABILITY [^]]*\] Logged in' '\* 4 EXISTS' 'B OK \[READ-WRITE\] Select completed.*' \
    '\* 4 FETCH \(BODY\[\] \{[0-9]+\}' "${mail_back[@]}" '\)' 'C OK Fetch completed.*' \
    '\* BYE Logging out' 'D OK Logout completed.*' 'Connection closed by foreign host\.'
imap_literal "$s" "telnet mail 143 (#2)"
echo "ok: every session has the notes' shape and every flag is found"

# ---- tshark ----
if ! command -v tshark >/dev/null 2>&1; then
    echo "tshark not found: the capture checks are skipped (scripts/deps installs it)"
    exit 77
fi
[[ -s $pcap ]] || fail "no capture written to $pcap"
run pcap-check "$(dirname "${BASH_SOURCE[0]}")/../../scripts/pcap-check" "$pcap"
[[ $rc -eq 0 ]] || fail "the capture is not clean: $(cat "$work/pcap-check.out")"

# The student PC's own interface holds each frame once (the whole network's
# capture has a copy per hop, which tshark's TCP analysis takes for
# retransmissions and leaves undecoded).
mine=$work/pcaps/${client}_eth0.pcap
[[ -s $mine ]] || fail "no per-interface capture $mine"
fields=(tcp.srcport tcp.dstport udp.srcport udp.dstport _ws.col.Protocol smtp.response.code
    ftp.response.code ftp.request.command ftp-data.setup-method pop.response.indicator
    imap.request.command imap.response.status http.response.code http.request.uri dns.qry.type)
run protocols tshark -r "$mine" -Y 'udp || tcp.len > 0' -T fields -E separator=/t -E aggregator=, \
    "${fields[@]/#/-e}"
[[ $rc -eq 0 ]] || fail "tshark could not read $mine"
# one line per payload frame: the well-known port it involves (or "data"),
# the direction (to or from it) and the protocol tshark names
awk -F'\t' '{ s = $1 $3; d = $2 $4; p = $5
    if (s == 53 || d == 53) port = 53; else if (s == 43 || d == 43) port = 43;
    else if (s == 80 || d == 80) port = 80; else if (s == 21 || d == 21) port = 21;
    else if (s == 25 || d == 25) port = 25; else if (s == 110 || d == 110) port = 110;
    else if (s == 143 || d == 143) port = 143; else port = "data"
    dir = (port == "data") ? (s == 20 ? "active" : "passive") : (d == port ? "request" : "reply")
    print port, dir, p }' "$work/protocols.out" | sort | uniq -c >"$work/by-port.txt"
cat "$work/by-port.txt"
# expect_proto PORT DIR REGEX: some frame, and every frame, of PORT and DIR is REGEX
expect_proto() {
    local lines
    lines=$(awk -v port="$1" -v dir="$2" '$2 == port && $3 == dir { print $4 }' "$work/by-port.txt")
    [[ -n $lines ]] || fail "no payload to or from port $1 ($2) on $client:eth0"
    local bad
    bad=$(grep -Evx "$3" <<<"$lines" || true)
    [[ -z $bad ]] || fail "tshark decodes port $1 ($2) as $(tr '\n' ' ' <<<"$bad"), expected $3"
}
expect_proto 53 request DNS
expect_proto 53 reply DNS
expect_proto 43 request WHOIS
expect_proto 43 reply WHOIS
# A request typed line by line is one segment per line: tshark shows the
# first lines as TCP segments of the request it reassembles at the empty
# line (the URIs checked below prove it decoded them as HTTP).
expect_proto 80 request 'HTTP|TCP'
expect_proto 80 reply HTTP
expect_proto 21 request FTP
expect_proto 21 reply FTP
expect_proto data active FTP-DATA
expect_proto data passive FTP-DATA
expect_proto 25 request 'SMTP(/IMF)?'
expect_proto 25 reply SMTP
expect_proto 110 request POP
expect_proto 110 reply 'POP(/IMF)?'
expect_proto 143 request IMAP
expect_proto 143 reply 'IMAP(/IMF)?'

# has FIELD VALUE...: each VALUE is among the values tshark gives FIELD
has() {
    local field=$1 col=0 values
    shift
    for i in "${!fields[@]}"; do [[ ${fields[i]} == "$field" ]] && col=$((i + 1)); done
    values=$(cut -f "$col" "$work/protocols.out" | tr ',' '\n' | sort -u)
    for v in "$@"; do
        grep -qxF -- "$v" <<<"$values" || fail "tshark finds no $field $v (it has: $(tr '\n' ' ' <<<"$values"))"
    done
}
has smtp.response.code 220 250 354 221
has ftp.response.code 220 331 230 200 150 226 227 221
has ftp.request.command USER PASS PORT PASV LIST RETR QUIT
has ftp-data.setup-method PORT PASV
has pop.response.indicator +OK
has imap.request.command LOGIN LIST SELECT FETCH LOGOUT
has imap.response.status OK
has http.response.code 200
has http.request.uri / /notes.html
has dns.qry.type 16 15 1
echo "ok: tshark decodes DNS, WHOIS, HTTP, FTP, FTP-DATA (active and passive), SMTP, POP and IMAP"
