/* ftp.h - FTP behaviour (RFC 959): the server a scenario's "services":
 * {"ftp": ...} opens on TCP 21, the file tree it serves, and what the
 * `ftp` client of the host shell keeps on its node (the files it fetched).
 *
 * Server. Replies are worded as vsftpd 3.0 words them, so what students see
 * matches the labs: 220 (vsFTPd 3.0.5), 331 Please specify the password.,
 * 230 Login successful., 530 Login incorrect., 215 UNIX Type: L8, 257 "/"
 * is the current directory, 227 Entering Passive Mode (h1,...,p2)., 150
 * Here comes the directory listing., 226 Transfer complete., 221
 * Goodbye.... Login is USER then PASS: an account of the scenario, or
 * "anonymous"/"ftp" with any password when anonymous access is on.
 * Commands before login get 530, PASS without USER 503, a command the
 * server does not do 502, anything else 500. Three failed logins close
 * the connection (vsftpd's max_login_fails).
 *
 * Every listing and transfer has its own data connection, set up by the
 * command before it: PORT (active: the server connects from port 20 to the
 * client's address, which must be the control connection's, else "500
 * Illegal PORT command.") or PASV (passive: a listener on a fresh port
 * from the node's RNG, which takes one connection, from the client's
 * address only). The data connection is opened when LIST, NLST, RETR or
 * STOR comes (425 when neither was given, or it cannot be opened), 150
 * goes out once it is up, the data follows, the server closes it (the
 * client does, after STOR), and 226 comes once it is closed; a new
 * PORT/PASV is needed for the next one. Commands that arrive during a
 * transfer wait for its end, as vsftpd reads none meanwhile. TYPE A (the
 * default, as in vsftpd) sends files with CRLF line ends and stores
 * uploads with LF; TYPE I sends the bytes as they are.
 *
 * FTPS (RFC 4217), implicit, as vsftpd's implicit_ssl: with a TLS conf
 * the server also listens on 990, where the control connection is TLS
 * from its first byte. There PBSZ 0 ("200 PBSZ set to 0.") and PROT P
 * ("200 PROT now Private.") make every data connection TLS too, the
 * server as the TLS server whichever side connected; listings and
 * transfers without PROT P get "522 Data connections must be
 * encrypted." (force_local_data_ssl, applied to anonymous users too). On
 * a data connection under TLS the data goes once the handshake is done.
 * PBSZ and PROT on port 21 get 503 (they need a secure connection).
 *
 * Everyone sees the same tree from "/" (no per-user home directories).
 * Anonymous users only read: STOR, DELE, MKD, RMD answer "550 Permission
 * denied.", as vsftpd's default anon_upload_enable=NO. What accounts
 * upload stays in the tree for the rest of the run. */
#ifndef NETSTEP_FTP_H
#define NETSTEP_FTP_H

#include "ftp_wire.h"
#include "stack.h"

#define FTP_PATH_MAX  256
#define FTP_FILE_MAX  (16u << 20) /* bytes per file, given or uploaded */
#define FTP_MAX_FAILS 3
#define FTP_PASV_WAIT (60 * SIM_S) /* vsftpd's accept_timeout */
#define FTP_UID_ROOT  0            /* owner of the scenario's files */
#define FTP_UID_USER  1000         /* owner of what accounts upload */
#define FTP_GREETING  "(vsFTPd 3.0.5)"
#define FTPS_PORT     990 /* implicit FTPS (RFC 4217 calls it deprecated; still common) */

/* ---- the file tree ---- */

/* A file or directory, by absolute normalized path ("/pub/readme.txt"). */
struct ftp_file {
    char *path;
    bool dir;
    uint8_t *data;
    size_t len;
    unsigned uid;
};

/* Entries kept sorted by path; "/" is always there. */
struct ftp_fs {
    struct ftp_file *f;
    int n, cap;
};

void ftp_fs_init(struct ftp_fs *fs);
void ftp_fs_free(struct ftp_fs *fs);
/* Whether path is absolute and normalized: "/", or "/" followed by names
 * separated by single slashes, none "." or "..", no trailing slash, no
 * control characters, at most FTP_PATH_MAX - 1 bytes. */
bool ftp_path_ok(const char *path);
/* The entry at path, or NULL. */
const struct ftp_file *ftp_fs_find(const struct ftp_fs *fs, const char *path);
/* Adds a file (replacing one at the same path), with the directories
 * above it, as the scenario declares files. Copies data. -1 when path is
 * not ftp_path_ok, a directory sits at path, or a file sits where one of
 * the parent directories would go. */
int ftp_fs_add(struct ftp_fs *fs, const char *path, const uint8_t *data, size_t len, unsigned uid);
/* The same without creating parents (STOR): -1 also when the parent is not
 * a directory. Takes ownership of data (malloc'ed) on success. */
int ftp_fs_store(struct ftp_fs *fs, const char *path, uint8_t *data, size_t len, unsigned uid);
/* MKD: -1 when something is there, or the parent is not a directory. */
int ftp_fs_mkdir(struct ftp_fs *fs, const char *path, unsigned uid);
/* DELE (dir false) / RMD (dir true, only when empty): -1 when not there,
 * of the other kind, or a non-empty directory. */
int ftp_fs_remove(struct ftp_fs *fs, const char *path, bool dir);
/* Calls fn for each entry directly inside directory dir, in name order,
 * with its name and link count (directories: 2 + subdirectories). */
typedef void (*ftp_fs_each_fn)(void *ctx, const struct ftp_file *f, const char *name,
                               unsigned nlink);
void ftp_fs_each(const struct ftp_fs *fs, const char *dir, ftp_fs_each_fn fn, void *ctx);
/* The link count ls shows for an entry. */
unsigned ftp_fs_nlink(const struct ftp_fs *fs, const struct ftp_file *f);
/* Resolves arg (absolute, or relative to cwd; ".", ".." and repeated
 * slashes allowed, ".." stops at "/") into out. false when the result does
 * not fit or arg holds control characters. */
bool ftp_path_resolve(const char *cwd, const char *arg, size_t arg_len, char *out, size_t cap);

/* ---- the server ---- */

struct ftp_account {
    char *user, *pass;
};

struct tls_server_conf;
struct ftp_conf {
    bool anonymous;
    struct ftp_account *acc; /* owned */
    int n_acc;
    struct ftp_fs fs;
    const struct tls_server_conf *tls; /* FTPS on 990 with it (the node's, tls.h) */
    bool no_plain;                     /* no port 21 (only with tls) */
};

/* Opens the server on TCP 21 (and 990 with conf->tls) of every address of
 * the node; takes ownership of conf's contents (left empty). -1 when a
 * port is taken or a server runs already. */
int ftp_server_start(struct netstack *st, struct ftp_conf *conf);
/* The server's tree, uploads included; NULL without a server. */
const struct ftp_fs *ftp_server_fs(const struct netstack *st);

/* ---- what the ftp client keeps on its node ---- */

/* The node's local files (what `get` saved, what `put` sends), created on
 * first use; kept for the run. */
struct ftp_fs *ftp_local_files(struct netstack *st);

struct text_conn;
/* Closes a connection its owner no longer follows (a client process that
 * ended, a server session whose control connection closed): gracefully,
 * after what is queued; it is freed once closed, or when the node's stack
 * goes. */
void ftp_orphan(struct netstack *st, struct text_conn *t);

/* Frees the server, its sessions, local files and orphans (from
 * stack_free, before TCP goes). */
void ftp_free(struct netstack *st);

#endif
