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

/* Code languages.  LANG_CODE is code of a language sandgate does not name
 * (every "code" pattern applies); from LANG_PY on the language is known and
 * its own patterns apply besides the "code" ones (code_lang_general()). */
enum code_lang {
	LANG_CODE, LANG_AWK, LANG_SED, LANG_SQL, LANG_VIM,
	LANG_PY, LANG_JS, LANG_RB, LANG_PL, LANG_PHP, LANG_LUA, LANG_R, LANG_JL, LANG_OSA, LANG_PS, LANG_EL,
	LANG_COUNT
};

/* Is l program code (not awk, sed, sql or vim commands)? */
static inline bool
code_lang_general(enum code_lang l)
{
	return l == LANG_CODE || l >= LANG_PY;
}

enum code_sig {
	CS_SHELL, CS_PRIVSHELL, CS_EXEC, CS_EVAL, CS_NET, CS_LISTEN, CS_SETUID, CS_LOADLIB,
	CS_FILEREAD, CS_FILEWRITE, CS_DELETE, CS_DECODE, CS_DBDROP, CS_TABLEDROP,
	CS_DELETEALL, CS_GRANT, CS_LINK,
	CS_CMDARG, CS_ENV, CS_DYNAMIC,
	CS_COUNT
};

enum handler { H_NONE, H_SHELL, H_INTERP, H_AWK, H_FIND, H_SED, H_TAR, H_SSH, H_REMOTE_COPY, H_PATCH, H_MOVE };

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

enum tspec_kind { TS_ALL, TS_LAST, TS_REST, TS_FIRST, TS_SKIP1, TS_SKIP2, TS_OPT, TS_KV, TS_SECOND };

struct tspec {
	enum tspec_kind kind;
	enum effect eff;
	const char *opt; /* TS_OPT: option name; TS_KV: "of=" */
	struct strlist subs; /* TS_OPT: only after these subcommands (opt:-o:write/format-patch), or empty */
};

struct prog {
	const char *name;
	uint64_t classes;
	struct tspec *t;
	size_t nt;
	struct strlist v, rec, up, code, sql, script, listen, p;
	struct strlist w;    /* w=: options that turn its read targets into writes (prettier --write) */
	struct strlist runs; /* runs=: subcommands (or "*") that run the workspace's own code */
	bool code1, long1, sub, hostfirst;
	bool abbrev; /* long options may be abbreviated (git, GNU getopt_long): --outp=F is --output=F */
	bool known;          /* every option that runs code, writes or reaches the network is described */
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
	/* issue #13 (docs/RISK.md "Tables"): cmd= options after which the command
	 * starts (pidstat -e CMD), cmdwith= options that make the positional
	 * arguments a command (runuser -u USER CMD), edit= options that make them
	 * files edited with its rights (sudo -e), out= options whose value is a
	 * file it writes (strace -o FILE) */
	struct strlist cmdopt, cmdwith, edit, out;
	bool args_joined;  /* args=joined: the command words are joined into a script (sg GROUP 'CMD') */
	bool args_edit;    /* args=edit: its positional arguments are files it edits (sudoedit) */
	enum wrap_as { WA_ROOT, WA_GROUP, WA_NS } as; /* priv: as=group (sg), as=ns (unshare -r) */
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
	enum code_lang scope; /* LANG_CODE (every language) or one language */
	enum code_sig sig;
	const char *text;
	size_t len;
};

/* A program that runs a command, script or configuration named in its
 * arguments (tables/runs; broker/intent/runs.c). */
enum run_how { RH_NONE, RH_ARGV, RH_JOINED, RH_KEYS };

struct runspec {
	const char *prog;
	struct strlist subs;   /* empty: whatever the subcommand */
	const char *word;      /* a word that must follow the subcommand (git bisect run) */
	enum run_how how;      /* what its positional arguments are */
	int skip;              /* positional arguments before the command */
	struct strlist v;      /* options that take a separate value */
	struct strlist sh;     /* options whose value is a shell command line */
	struct strlist argv;   /* options after which the rest is a command (gdb --args) */
	struct strlist file;   /* options whose value is a file it runs or takes configuration from */
	struct strlist cmds;   /* options whose value is a command of the program's own language */
	struct strlist mk;     /* options whose value is makefile text */
	struct strlist env;    /* variables (NAME=...) that name such a file */
	struct strlist esc;    /* PREFIX:LANG -- command prefixes that leave the program's language */
	struct strlist stdin_opts; /* options that make it read commands from stdin ("-" always) */
	struct strlist opt;    /* options whose value is optional: only -Ovalue or --opt=value */
	struct strlist alias;  /* WORD:COMMAND -- a first command word that stands for a command (cmake -E) */
	enum code_lang lang;   /* the language of "cmds" values (vim, gdb, ...) */
	bool plus;             /* +CMD arguments are commands (vim) */
	bool file1;            /* its first positional argument is such a file */
	/* issue #13 (runs family): */
	struct strlist hook;   /* options whose value is a command it runs on an event (restic --password-command) */
	struct strlist kv;     /* OPT:KEY -- the option's value is KEY=VALUE,...; KEY's value is a command line */
	struct strlist after;  /* positional words after which the next word is a command line */
	struct strlist lib;    /* options whose value is a library (or its directory) it loads */
	struct strlist shesc;  /* options that let its input run shell commands (tex -shell-escape) */
	struct strlist embed;  /* OPEN:CLOSE:sh -- commands written inside its text (m4 esyscmd(...)) */
	struct strlist norepl; /* options that mean it does not read commands from the terminal */
	struct strlist detach; /* options that start it in the background (no terminal) */
	bool repl;             /* without a command, script or stdin it reads commands from the terminal */
	bool replany;          /* ... even with positional arguments (ncdu DIR) */
	bool outside;          /* as a wrapper, it runs the command outside the caller (systemd-run) */
};

struct mcppat {
	const char *pat;
	int effect;
	struct rule r;
};

/* tables/services: remote-service CLIs whose command words carry a verb
 * (broker/intent/services.c). */
enum svc_kind { SVK_CLI, SVK_VERB, SVK_NOUN, SVK_SCOPE, SVK_PROD, SVK_HTTP, SVK_COPY, SVK_SEND, SVK_ADDR, SVK_COUNT };
/* addr rows (socat address types): what an address is */
enum svc_addr { SVA_NONE, SVA_FILE, SVA_CONNECT, SVA_LISTEN, SVA_STDIO };
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
	/* copy (broker/intent/transfer.c): a command that copies between here and storage */
	struct strlist remote;        /* what a remote location looks like (globs) */
	struct strlist to, from;      /* options naming the destination / a local source */
	bool to_first;                /* the first argument is the destination (borg create REPO PATHS) */
	int dir;                      /* 0 by position, 1 always up, 2 always down; addr: enum svc_addr */
	/* send (broker/intent/netsend.c): a client that sends text or files to a host it names */
	struct strlist host;          /* options naming the host, or "at" (USER@HOST), "pos" (an argument) */
	struct strlist data, file;    /* options whose value is sent; options (or "pos") naming files sent */
	struct strlist safe;          /* hosts it is meant for (globs): sending there is ordinary */
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

/* tables/db: what SQL, client meta-commands, MongoDB calls and Redis
 * commands do, database clients, and host or database names that look
 * like production (docs/RISK.md "Databases").  Read by db.c. */
enum db_kind { DBK_FIRST, DBK_SQL, DBK_META, DBK_CALL, DBK_HOST, DBK_CLIENT, DBK_COUNT };
/* In order of severity (db.c keeps the worst of a statement). */
enum db_class {
	DBC_NONE, DBC_READ, DBC_WRITE, DBC_FILE, DBC_SCHEMA, DBC_EXEC, DBC_ADMIN, DBC_PERM, DBC_SHELL,
	DBC_DELETEALL, DBC_UPDATEALL, DBC_ALTERDROP, DBC_TABLEDROP, DBC_GRANT, DBC_DBDROP, DBC_PROD,
	DBC_COUNT
};
enum db_args { DBA_NONE, DBA_CMD, DBA_AFTER1 };

struct dbpat {
	enum db_kind kind;
	enum db_class cls;
	const char *text;    /* lower case, words joined by one space */
	const char **words;  /* the words ("*": any words in between) */
	size_t nwords;
	bool prefix;         /* meta/call/first: a trailing '*' matches any rest */
	/* client rows */
	enum db_args args;   /* which positional arguments are statements */
	struct strlist host, db, file; /* options naming the server, the database, SQL files */
};

const char *db_class_name(enum db_class c);

/* tables/runners: programs that download a package and run it (npx, pnpm
 * dlx, uvx, pipx run, ...).  Read by packages.c. */
enum runner_eco { RE_NPM, RE_PY, RE_GO, RE_URL, RE_COUNT };

struct runner {
	const char *name;    /* the program */
	struct strlist subs; /* subcommands that run a package (empty: the program itself) */
	enum runner_eco eco; /* how package specs are spelled */
	struct strlist yes;  /* options that skip the confirmation */
	struct strlist pkg;  /* options naming the package (the bin comes after) */
	struct strlist v;    /* other options that take a value */
	bool ask;            /* asks before downloading unless yes (npx, npm exec) */
	bool local;          /* runs the project's installed bin when it has one */
};

/* hooks: a variable or git configuration key whose value runs a program */
enum hook_kind { HK_CMD, HK_PROG, HK_FILE, HK_LIB, HK_LIBDIR, HK_OPTS, HK_DIR, HK_ALIAS, HK_BOOL, HK_CFG };

struct hookpat {
	const char *pat;  /* a variable name or glob; git keys without "git:" */
	bool git;         /* a git configuration key (matched without regard to case) */
	enum hook_kind kind;
};

/* tables/dirs: what directories hold.  In a workspace (projdel.c): its
 * version-control data, its source trees, or output a build regenerates (a
 * GLOB starting "./" matches the path under the workspace root, any other
 * the base name at any depth).  Anywhere (pathvar.c): the standard
 * directories of programs a PATH may name (bin: absolute or ~/ globs). */
enum projkind { PJ_VCS, PJ_SOURCE, PJ_REGEN, PJ_BIN, PJ_COUNT };

struct projpat {
	const char *pat;
	bool anchored; /* "./GLOB": relative to the workspace root */
	bool home;     /* bin "~/GLOB": under the home directory */
	enum projkind kind;
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
/* The same rules less those that name other literal subcommands than sub
 * (NULL: none), still in table order: what apply_cmdrules must check. */
const struct cmdrule *const *tables_cmdrules_for(const struct tables *t, const char *prog, const char *sub, size_t *n);
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
/* The word row (a pattern without wildcards) that is exactly word (lower
 * case), or NULL: an MCP tool's verb (mcpverb.h). */
const struct mcppat *tables_mcp_word(const struct tables *t, const char *word, size_t len);
/* Rows of tables/db of one kind whose first word is w (lower case; "" for
 * host rows, which are globs), and the client row of a program. */
const struct dbpat *const *tables_db(const struct tables *t, enum db_kind k, const char *w, size_t *n);
const struct dbpat *tables_db_client(const struct tables *t, const char *prog);
/* The runner rows of a program (several: one per subcommand list). */
const struct runner *const *tables_runners(const struct tables *t, const char *prog, size_t *n);
/* The hook a variable name (git false) or a git configuration key (git
 * true) names, or NULL. */
const struct projpat *tables_project(const struct tables *t, const char *rel, size_t n);
bool tables_bindir(const struct tables *t, const char *path, size_t n);
const struct hookpat *tables_hook(const struct tables *t, const char *name, size_t len, bool git);
/* Code patterns that may start with bytes c0 c1 (c1 = 0 at the end of the
 * text), for the scanner; check each candidate. */
const struct codepat *const *tables_code_by_pair(const struct tables *t, unsigned char c0, unsigned char c1,
    size_t *n);

/* services: the row of a kind for a lower-case name (cli names may be globs), or NULL */
const struct svcrow *tables_svc(const struct tables *t, enum svc_kind k, const char *name, size_t n);
/* Does some row of kind k (a literal name) belong to program prog (its
 * first dotted word)?  A quick filter before building dotted keys. */
bool tables_svc_prog(const struct tables *t, enum svc_kind k, const char *prog);
/* windows: the row for a lower-case command name, or NULL */
const struct winrow *tables_win(const struct tables *t, const char *name);
/* The rows of tables/secrets in order (user rows first). */
const struct secretpat *const *tables_secrets(const struct tables *t, size_t *n);
/* The runs rows of a program (NULL when none). */
const struct runspec *const *tables_runs(const struct tables *t, const char *prog, size_t *n);

/* --- vocabularies --- */
const char *effect_name(enum effect e);
const char *pclass_name(enum pclass c);
const char *hclass_name(enum hclass c);
const char *code_sig_name(enum code_sig s);
const char *code_lang_name(enum code_lang l);
int effect_by_name(const char *s);

/* Glob match of s[0..n): * and ** match anything, ?, [set]; case-insensitive
 * if fold. */
bool glob_match(const char *pat, const char *s, size_t n, bool fold);
/* True when pat's literal first byte already rules s out (case-sensitive
 * glob_match only): lets a loop over many patterns skip the call. */
static inline bool
glob_first_differs(const char *pat, const char *s, size_t n)
{
	char c = pat[0];

	return c != '\0' && c != '*' && c != '?' && c != '[' && c != '/' && (n == 0 || s[0] != c);
}
/* Path glob: * stays within a segment, ** crosses them; a trailing slash
 * and double star also match the directory itself. */
bool glob_match_path(const char *pat, const char *s, size_t n);
bool strlist_has(const struct strlist *l, const char *s);

#endif
