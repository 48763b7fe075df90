/* rules_import.h -- other agents' permission rules to sandgate patterns and
 * back: Claude Code settings (permissions.allow/deny/ask entries such as
 * Bash(npm run test:*), Read(./src/ and below), WebFetch(domain:x), mcp__s__t),
 * Codex .rules files (prefix_rule(...)), and sandgate's own JSON lines.
 *
 * Translation never widens an allow: what cannot be said exactly is
 * reported, not guessed.  All input is untrusted (files from a project). */
#ifndef SG_RULES_IMPORT_H
#define SG_RULES_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RI_MAX_INPUT (4u << 20)   /* bytes of one file */
#define RI_MAX_EXPAND 256         /* rules one Codex prefix_rule may expand to */

/* A translated rule; strings malloc'd (scope fields may be NULL). */
struct ri_rule {
	char *effect;        /* "allow" or "deny" */
	char *pattern;       /* canonical sandgate pattern */
	char *note;
	char *scope, *scope_value, *max_level;
	int64_t expires_ms;  /* native format only; 0 = never */
};

/* An entry that was not translated, and why. */
struct ri_skip {
	char *entry;
	char *why;
};

struct ri_result {
	struct ri_rule *rules;
	size_t nrules, caprules;
	struct ri_skip *skips;
	size_t nskips, capskips;
	char *scope, *scope_value; /* scope the file implies (project settings: its workspace) */
};

void ri_result_free(struct ri_result *r);

enum ri_format { RI_AUTO, RI_NATIVE, RI_CLAUDE, RI_CODEX };
int ri_format_parse(const char *name);
/* Guess a file's format from its name and first bytes. */
enum ri_format ri_detect(const char *path, const char *text, size_t len);

/* Parse one file (text[0..len), need not be NUL-terminated).  path is where
 * it came from (relative Claude paths are resolved against the project it
 * belongs to); home may be NULL.  0, or -1 with err when the file as a whole
 * cannot be read (bad JSON, too big).  Entries that cannot be translated go
 * to out->skips. */
int ri_parse(enum ri_format fmt, const char *path, const char *home, const char *text, size_t len,
    struct ri_result *out, char *err, size_t errlen);

/* One Claude Code permission entry to a sandgate pattern (malloc'd), or
 * NULL with why.  root: the project directory a "/path" entry is relative
 * to (NULL if unknown).  deny: translating for a deny list (a wider
 * translation is acceptable there). */
char *ri_claude_entry(const char *entry, const char *root, bool deny, char *why, size_t whylen);

/* A sandgate pattern back to a Claude Code entry / a Codex prefix_rule line
 * (malloc'd), or NULL with why when it cannot be said without widening an
 * allow. */
char *ri_to_claude(const char *pattern, bool deny, char *why, size_t whylen);
char *ri_to_codex(const char *pattern, bool deny, const char *note, char *why, size_t whylen);

#endif
