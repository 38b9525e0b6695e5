/* shell_curl_ftps.h - curl's ftps:// URLs: FTP over implicit TLS (FTPS,
 * RFC 4217, port 990), a separate client from curl's HTTP one
 * (shell_http.c), which hands a command line with an ftps:// URL here. */
#ifndef NETSTEP_SHELL_CURL_FTPS_H
#define NETSTEP_SHELL_CURL_FTPS_H

#include <stdbool.h>

struct shell_proc;

/* True when one of curl's arguments is an ftps:// URL. */
bool curl_ftps_wanted(int argc, char **argv);
/* `curl [options] ftps://[user[:password]@]host[:port]/path`. */
void cmd_curl_ftps(struct shell_proc *p, int argc, char **argv);

#endif
