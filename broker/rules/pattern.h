/* pattern.h -- the rule pattern language (docs/RULES.md has the full story).
 * Examples (as // lines, because they contain comment openers): */
//   exec npm run test *            exec git push origin feature/*
//   write ./src/**                 read ~/.aws/**
//   net *.npmjs.org:443            mcp github.create_issue
//   other WebSearch                delete /tmp/build/**
/*
 * A pattern is a kind and a body.  exec bodies are words (shell quoting; a
 * quoted star is literal): a bare star word matches any run of words (also
 * none), a star or ? inside a word matches within that word only, and a word
 * that starts with /, ./, ../ or ~/ is a path glob checked against the
 * argument's resolved path.  File kinds take one path glob (a star stays
 * inside one path component, a double star spans components; relative globs
 * are anchored at the request's workspace root).  net takes HOST[:PORT]
 * ("*.x" is any subdomain of x, not x itself), mcp SERVER.TOOL, other a tool
 * name, each with globs.
 *
 * Patterns match one part of a subject at a time; whether a whole request is
 * covered is the rule set's business (rule.h). */
#ifndef SG_PATTERN_H
#define SG_PATTERN_H

#include <stdbool.h>
#include <stddef.h>

#include "broker/rules/subject.h"

#define PATTERN_MAX_LEN 4096
#define PATTERN_MAX_WORDS 128

typedef struct pattern pattern;

/* Parse text[0..len); NULL with a one-line reason in err (bad kind,
 * unterminated quote, too long, ...) or on out of memory. */
pattern *pattern_parse(const char *text, size_t len, char *err, size_t errlen);
void pattern_free(pattern *p);

/* The pattern in canonical form (same meaning, normalised spacing and
 * quoting); owned by p. */
const char *pattern_text(const pattern *p);
/* The kind the pattern was written for (SK_WRITE also matches SK_EDIT parts). */
enum subj_kind pattern_kind(const pattern *p);
/* True if the pattern has any wildcard (it can match more than one thing). */
bool pattern_is_wide(const pattern *p);

/* Does the pattern cover this part of s? */
bool pattern_match_part(const pattern *p, const struct subject *s, const struct subj_part *part);

/* Index keys (ruleindex.h).  exec: the literal first and second words, or
 * NULL where the pattern has a wildcard there.  File kinds: the anchor
 * (PATH_ANCHOR_*) and the literal first component after it.  net: the
 * literal registrable suffix (last two labels).  mcp: the literal server.
 * other: the literal tool.  NULL = any. */
enum { PATH_ANCHOR_ABS, PATH_ANCHOR_WS, PATH_ANCHOR_HOME };
const char *pattern_key1(const pattern *p);
const char *pattern_key2(const pattern *p);
int pattern_anchor(const pattern *p);

/* The parts of a parsed pattern, for converting rules to other formats.
 * exec: pattern_nwords words; each is a literal (text after quote removal),
 * a glob within one word (\ escapes), a path glob (anchor + text, the text
 * after the anchor with \ escapes; up = leading ../ count) or a spanning
 * star.  File kinds have one path word.  Other kinds: host/port (port -1 =
 * any), server/tool. */
enum pattern_word_type { PW_LITERAL, PW_GLOB, PW_PATH, PW_ANY };
size_t pattern_nwords(const pattern *p);
enum pattern_word_type pattern_word(const pattern *p, size_t i, const char **text, int *anchor,
    int *up);
const char *pattern_host(const pattern *p);
int pattern_port(const pattern *p);
const char *pattern_server(const pattern *p);
const char *pattern_tool(const pattern *p);
/* other: the glob of the tool's input (canonical JSON, broker/rules/inputtext.h),
 * NULL for a pattern that names the tool alone (its empty input). */
const char *pattern_input(const pattern *p);

/* Character glob: * and ? (\ escapes), * crosses any character. */
bool pattern_glob(const char *glob, const char *s);
/* Quote word for a pattern if needed so it reads back as the literal word;
 * malloc'd. */
char *pattern_quote_word(const char *w, size_t n);

#endif
