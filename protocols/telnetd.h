/* telnetd.h - the telnet server (RFC 854) a scenario's "services":
 * {"telnet": ...} opens on TCP 23: a login prompt and a small shell, what
 * Ubuntu's telnetd with login(1) and bash show a student.
 *
 * On connect the server offers WILL ECHO and WILL SUPPRESS-GO-AHEAD (it
 * echoes what is typed, character-at-a-time terminals need no go-ahead),
 * refuses every other option (DONT/WONT), then sends the banner (as
 * /etc/issue.net) and "HOST login: ". The user name is echoed, the password
 * is not; a wrong user or password gets "Login incorrect" and a new prompt,
 * the third failure closes the connection. Logged in, a prompt
 * "root@HOST:~# " ("$" for other users) takes: whoami, id, hostname,
 * uname [-a|-r|-s|-n|-m], pwd, ls, cat FILE..., echo ..., exit/logout; the
 * rest gets bash's "-bash: NAME: command not found". The files are those of
 * the scenario's "files" ({"flag.txt": "..."}), in the user's home.
 *
 * Lines arrive as typed (CR LF, CR NUL or a bare LF end them, as the NVT
 * allows); IAC commands are taken out first, since Telnet is a byte stream
 * with commands inside, so the line framing comes after them (a terminal's
 * line discipline: 255 bytes a line, backspace erases). */
#ifndef NETSTEP_TELNETD_H
#define NETSTEP_TELNETD_H

#include "stack.h"
#include "telnet_wire.h"

#define TELNETD_MAX_FAILS 3
#define TELNETD_LINE_MAX  255
#define TELNETD_KERNEL    "5.15.0-91-generic"
#define TELNETD_UNAME     "#101-Ubuntu SMP Tue Nov 14 13:30:08 UTC 2023 x86_64 x86_64 x86_64 GNU/Linux"

struct telnetd_account {
    char *user, *pass;
};

struct telnetd_file {
    char *name; /* a plain name in the home directory */
    uint8_t *data;
    size_t len;
};

struct telnetd_conf {
    struct telnetd_account *acc;
    int n_acc;
    char *banner; /* NULL = none */
    struct telnetd_file *files;
    int n_files;
};

/* Opens the server on TCP 23; takes ownership of conf's contents (left
 * empty). -1 when port 23 is taken or a server runs already. */
int telnetd_start(struct netstack *st, struct telnetd_conf *conf);
/* Frees the server and its sessions (from stack_free, before TCP goes). */
void telnetd_free(struct netstack *st);
/* Frees a configuration that was not handed to telnetd_start. */
void telnetd_conf_clear(struct telnetd_conf *conf);

#endif
