/* tables.h -- the data that drives intent and risk: program classes,
 * wrappers, subcommand rules, path and host classes, code patterns, rule
 * weights and MCP tool names.  The built-in tables are text files compiled
 * into the binary (broker/intent/tables/); files of the same name in
 * CONFIG_DIR/tables/ add to them, replace entries by key, remove entries
 * ("-KEY") or replace a whole table ("@replace").  docs/RISK.md documents
 * every format.
 *
 * Tables are loaded once and then only read, so one loaded set may serve
 * every request. */
#ifndef SG_TABLES_H
#define SG_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TABLE_MAX_FILE ((size_t)1 << 20) /* bytes per table file */
#define TABLE_MAX_LINE 4096
#define TABLE_MAX_ROWS 20000
#define TABLE_MAX_LIST 256               /* items in one comma list */

/* What a command does (the intent's "effects"). */
enum effect {
	EFF_READ, EFF_VIEW, EFF_WRITE, EFF_OVERWRITE, EFF_DELETE, EFF_DELETE_RECURSIVE,
	EFF_CHMOD, EFF_CHOWN, EFF_SETUID, EFF_USE, EFF_RUN, EFF_DOWNLOAD, EFF_UPLOAD,
	EFF_NETWORK, EFF_LISTEN, EFF_REMOTE_EXEC, EFF_PRIVILEGE, EFF_PERSISTENCE,
	EFF_PACKAGE_INSTALL, EFF_DOWNLOAD_EXEC, EFF_KILL, EFF_HISTORY_REWRITE, EFF_DISCARD,
	EFF_FORCE_PUSH, EFF_PUBLISH, EFF_DB_DESTROY, EFF_CLOUD_DESTROY, EFF_CLUSTER_DESTROY,
	EFF_EXEC, EFF_SHELL, EFF_POWER, EFF_SYSCONFIG, EFF_DECODE, EFF_EXFILTRATE,
	EFF_SECRETS, EFF_ENV_READ, EFF_LIST,
	EFF_COUNT
};

/* Classes of paths; the first ones come from the paths table, the rest are
 * computed from the workspace, home and sandgate's own locations. */
enum pclass {
	PC_SANDGATE, PC_DEVICE, PC_SPECIAL, PC_NETWORK, PC_SECRET, PC_AGENT_CONFIG,
	PC_AGENT_INSTRUCTIONS, PC_PERSISTENCE, PC_ROOT, PC_HOME_ROOT, PC_WORKSPACE_ROOT, PC_WORKSPACE, PC_TMP,
	PC_SYSTEM, PC_HOME_DOTFILE, PC_HOME, PC_OUTSIDE, PC_UNKNOWN,
	PC_COUNT,
	PC_NONE = PC_COUNT, /* table only: stop matching */
};

enum hclass { HC_LOCAL, HC_PRIVATE, HC_METADATA, HC_KNOWN, HC_EXFIL, HC_EXTERNAL, HC_COUNT };

/* Program classes (bits). */
enum {
	PCL_SHELL, PCL_INTERP, PCL_INTERACTIVE, PCL_READONLY, PCL_META, PCL_DEBUGGER,
	PCL_EDITOR, PCL_PAGER, PCL_BUILD, PCL_TEST, PCL_NET, PCL_DOWNLOAD, PCL_RAWNET,
	PCL_REMOTE, PCL_TRANSFER, PCL_MAIL, PCL_SERVER, PCL_CFGMGMT, PCL_SNIFFER, PCL_PRINT,
	PCL_BUILTIN, PCL_CD, PCL_SOURCE, PCL_EVAL, PCL_TRAP, PCL_SYSINFO, PCL_ENVDUMP,
	PCL_ADMIN, PCL_DELETE, PCL_FILEOPS, PCL_PERM, PCL_ARCHIVE, PCL_VCS, PCL_PKG,
	PCL_CONTAINER, PCL_CLOUD, PCL_IAC, PCL_SECRETS, PCL_DB, PCL_KILL, PCL_SERVICE,
	PCL_POWER, PCL_SCHED, PCL_ACCOUNT, PCL_DISK, PCL_FIREWALL, PCL_FILESERVER,
	PCL_COUNT
};
#define PCL(x) ((uint64_t)1 << PCL_##x)

enum code_lang { LANG_CODE, LANG_AWK, LANG_SED, LANG_SQL, LANG_VIM };

enum code_sig {
	CS_SHELL, CS_PRIVSHELL, CS_EXEC, CS_EVAL, CS_NET, CS_LISTEN, CS_SETUID, CS_LOADLIB,
	CS_FILEREAD, CS_FILEWRITE, CS_DELETE, CS_DECODE, CS_DBDROP, CS_TABLEDROP,
	CS_DELETEALL, CS_GRANT, CS_LINK,
	CS_COUNT
};

enum handler { H_NONE, H_SHELL, H_INTERP, H_AWK, H_FIND, H_SED, H_TAR, H_SSH, H_REMOTE_COPY, H_PATCH };

enum wrap_kind { WK_PLAIN, WK_PRIV, WK_ENV, WK_XARGS, WK_JOINED };

struct rule {
	const char *id;
	int weight;
	const char *text;
};

/* A NULL-free list of strings. */
struct strlist {
	const char **v;
	size_t n;
};

enum tspec_kind { TS_ALL, TS_LAST, TS_REST, TS_FIRST, TS_SKIP1, TS_SKIP2, TS_OPT, TS_KV };

struct tspec {
	enum tspec_kind kind;
	enum effect eff;
	const char *opt; /* TS_OPT: option name; TS_KV: "of=" */
};

struct prog {
	const char *name;
	uint64_t classes;
	struct tspec *t;
	size_t nt;
	struct strlist v, rec, up, code, sql, script, listen, p;
	bool code1, long1, sub, hostfirst;
	enum code_lang lang;
	enum handler handler;
};

struct wrapper {
	const char *name;
	enum wrap_kind kind;
	struct strlist v, nocmd, script, shell, user;
	const char *sub;
	int skip;
	bool noargs_shell, args_none;
	bool files_write; /* files=write: its own positional arguments are files it writes (script FILE) */
};

enum cond_kind { CK_FLAG, CK_ARG, CK_ARG1, CK_LASTARG, CK_VAL, CK_NOARGS, CK_ARGS, CK_SPEC };

struct cond {
	enum cond_kind kind;
	bool neg;
	struct strlist list; /* flags, globs, or (CK_VAL) option names */
	struct strlist vals; /* CK_VAL: globs for the value */
};

struct cmdrule {
	struct rule r;
	struct strlist progs;
	struct strlist subs;   /* empty: program-wide ("-") */
	bool fallback;         /* SUB was "*" */
	struct cond *conds;
	size_t nconds;
	int effect;            /* enum effect, or -1 */
};

struct pathpat {
	const char *pat;   /* with ~ expanded */
	const char *prefix; /* literal text before the first wildcard */
	size_t prefixlen;
	const char *must;   /* the longest literal run: a quick filter */
	size_t mustlen;
	bool base;          /* no '/': match the base name */
	bool fold;          /* compare without regard to case (agent files) */
	enum pclass cls;
};

struct hostpat {
	const char *pat; /* lower case */
	enum hclass cls;
};

struct codepat {
	enum code_lang scope; /* LANG_CODE, LANG_AWK or LANG_SQL */
	enum code_sig sig;
	const char *text;
	size_t len;
};

struct mcppat {
	const char *pat;
	int effect;
	struct rule r;
};

/* tables/services: remote-service CLIs whose command words carry a verb
 * (broker/intent/services.c). */
enum svc_kind { SVK_CLI, SVK_VERB, SVK_NOUN, SVK_SCOPE, SVK_PROD, SVK_HTTP, SVK_COUNT };
enum svc_class { SVC_NONE, SVC_LIST, SVC_READ, SVC_WRITE, SVC_EXEC, SVC_DESTROY, SVC_STORE, SVC_SECRET };

struct svcrow {
	enum svc_kind kind;
	const char *name;             /* lower case; a cli name may be a glob */
	enum svc_class cls;           /* verb: what it does; noun: SVC_STORE or SVC_SECRET */
	bool secrets;                 /* cli: its read verbs read stored secrets */
	bool method_first;            /* http: the first argument is the method (http DELETE url) */
	int depth;                    /* cli: positional words that name the command */
	struct strlist nouns;         /* cli: verb-looking words that are product names here */
	struct strlist store, secret; /* cli: more nouns of its own */
	struct strlist method;        /* http: options whose value is the method */
	struct strlist v;             /* cli: options that take a value */
};

/* tables/windows: cmd and PowerShell commands (broker/intent/windows.c). */
enum win_args { WA_NONE, WA_DELETE, WA_READ, WA_WRITE, WA_CHOWN, WA_CHMOD, WA_CMD, WA_PWSH, WA_EVAL, WA_USE };

struct winrow {
	const char *names;   /* the key: a comma list, lower case */
	struct strlist name;
	enum win_args args;  /* what its arguments are */
	bool dual;           /* also a Unix program: Windows only with Windows-looking arguments */
	struct strlist rec;  /* switches that make a delete recursive (/s, -recurse) */
	struct strlist v;    /* switches that take a value */
	struct strlist path; /* switches whose value is a path (-path, -literalpath) */
};

/* tables/secrets: names of variables that hold credentials, and search
 * patterns that look for key material (broker/intent/secrets.c). */
enum secret_kind { SK_NAME, SK_WORD, SK_SEARCH };

struct secretpat {
	enum secret_kind kind;
	const char *pat; /* upper case for SK_NAME and SK_WORD */
	bool secret;     /* false: "none", an exception */
};

struct tables;

/* Load the built-in tables, then the files in config_dir/tables (config_dir
 * may be NULL).  home is used to expand "~/" in path patterns (may be NULL:
 * then those patterns never match).  NULL and a "FILE:LINE: reason" message
 * in err on a bad file or out of memory. */
struct tables *tables_load(const char *config_dir, const char *home, char *err, size_t errlen);
/* The same, from in-memory user files (for tests): names[i] holds texts[i]. */
struct tables *tables_load_mem(const char *const *names, const char *const *texts, size_t n,
    const char *home, char *err, size_t errlen);
void tables_free(struct tables *t);

/* --- lookups (all return pointers into t) --- */
const struct prog *tables_prog(const struct tables *t, const char *name);
const struct wrapper *tables_wrapper(const struct tables *t, const char *name);
/* The subcommand rules for a program ("*" for unknown programs). */
const struct cmdrule *const *tables_cmdrules(const struct tables *t, const char *prog, size_t *n);
const struct rule *tables_rule(const struct tables *t, const char *id);
/* The EFFECT:CLASS rule, or NULL. */
const struct rule *tables_target_rule(const struct tables *t, enum effect e, enum pclass c);
/* First matching path pattern for an absolute normalised path; pass selects
 * the table classes checked before (1) or after (2) the workspace. */
enum pclass tables_path_class(const struct tables *t, const char *path, size_t len, int pass);
/* The path patterns of one pass, in order (for globs: what could they match). */
const struct pathpat *const *tables_paths(const struct tables *t, int pass, size_t *n);
enum hclass tables_host_class(const struct tables *t, const char *host, size_t len);
const struct mcppat *tables_mcp(const struct tables *t, const char *tool, size_t len);
/* Code patterns that may start with bytes c0 c1 (c1 = 0 at the end of the
 * text), for the scanner; check each candidate. */
const struct codepat *const *tables_code_by_pair(const struct tables *t, unsigned char c0, unsigned char c1,
    size_t *n);

/* services: the row of a kind for a lower-case name (cli names may be globs), or NULL */
const struct svcrow *tables_svc(const struct tables *t, enum svc_kind k, const char *name, size_t n);
/* windows: the row for a lower-case command name, or NULL */
const struct winrow *tables_win(const struct tables *t, const char *name);
/* The rows of tables/secrets in order (user rows first). */
const struct secretpat *const *tables_secrets(const struct tables *t, size_t *n);

/* --- vocabularies --- */
const char *effect_name(enum effect e);
const char *pclass_name(enum pclass c);
const char *hclass_name(enum hclass c);
const char *code_sig_name(enum code_sig s);
int effect_by_name(const char *s);

/* Glob match of s[0..n): * and ** match anything, ?, [set]; case-insensitive
 * if fold. */
bool glob_match(const char *pat, const char *s, size_t n, bool fold);
/* Path glob: * stays within a segment, ** crosses them; a trailing slash
 * and double star also match the directory itself. */
bool glob_match_path(const char *pat, const char *s, size_t n);
bool strlist_has(const struct strlist *l, const char *s);

#endif
