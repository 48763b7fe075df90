/* secrets.h -- credentials read through the environment, searches for key
 * material, archives of the home directory, and where they go.
 *
 * A variable whose name says it holds a credential (tables/secrets: word
 * and name patterns) read through $NAME, ${NAME}, ${NAME:-x}, printenv NAME
 * or declare -p NAME, and a dump of the whole environment (env, printenv,
 * set, export -p, declare -p), are secret reads.  A recursive search of the
 * home directory, / or a directory of keys for key material (grep -r, rg,
 * ag, ack, find -name, fd, locate, an agent's Grep or Glob tool) and an
 * archive or copy of the whole home directory are secret reads too.  With a
 * network effect anywhere in the same request they are exfiltration
 * (secrets_finish).  docs/RISK.md "Secrets" has the rules and weights. */
#ifndef SG_SECRETS_H
#define SG_SECRETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "broker/intent/intent.h"
#include "broker/intent/shell.h"

/* Is s[0..n) the name of an environment variable that holds a credential?
 * Only names without lower-case letters count (the environment's
 * convention; $key in a script is the script's own variable). */
bool secrets_var_name(const struct tables *t, const char *s, size_t n);

/* Does the expansion sg give the variable's value?  Not ${#X} (its
 * length), ${X:+w} and ${X+w} (a word when set), ${X:?m} and ${X?m} (a
 * message when unset), ${!X} (another variable's name). */
bool secrets_seg_value(const struct sh_seg *sg);

/* Does text (an unquoted here-document or here-string) expand a credential
 * variable ($NAME or ${NAME...})? */
bool secrets_text_refs(const struct tables *t, const char *s, size_t n);

/* Does the program need secrets_command (besides a credential variable in
 * its words)? */
bool secrets_prog_wanted(const char *prog, uint64_t classes);

struct secrets_word {
	const char *s;
	size_t n;
};

/* A simple command as secrets_command sees it. */
struct secrets_cmd {
	const char *prog;                  /* base name */
	uint64_t classes;                  /* program classes (tables/programs) */
	const struct secrets_word *args;   /* the words after the program, resolved */
	size_t nargs;
	bool uses_secret;                  /* a word or the here-document expands a credential variable */
	bool stdout_file;                  /* its output goes to a regular file */
};

/* Signals about command ci (already analysed): a credential printed
 * (secret-var) or handed to a program (secret-var-use), the environment
 * dumped (env-dump), a search for key material (search-secrets, ...). */
void secrets_command(struct intent_ctx *x, int ci, const struct secrets_cmd *sc);

/* env (or env -0, env -u X) without a command: prints the environment. */
void secrets_env_dump(struct intent_ctx *x, int ci, bool stdout_file);

/* An agent's search tool (Grep, search_file_content, grep_search: content
 * search for pattern; Glob, glob: a name search) whose directory and files
 * are already targets of command ci. */
void secrets_tool_search(struct intent_ctx *x, int ci, const char *tool, const char *pattern, size_t n);

/* After the whole request is walked: archives and copies of the home
 * directory, and exfiltration -- a credential variable, an environment dump,
 * a search for keys or an archive of them, with a network effect anywhere
 * in the request (or a file they wrote sent later). */
void secrets_finish(struct intent_ctx *x);

#endif
