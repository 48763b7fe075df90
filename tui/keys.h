/* keys.h -- every key of the console, in one const table.  Key handlers in
 * console.c look an action up here; the help overlay lists this table.
 * No curses calls (the key codes are curses' KEY_* values). */
#ifndef SG_KEYS_H
#define SG_KEYS_H

#include <stddef.h>

enum key_action {
	ACT_NONE,
	ACT_DOWN, ACT_UP, ACT_TOP, ACT_BOTTOM, ACT_PAGE_DOWN, ACT_PAGE_UP,
	ACT_FILTER, ACT_NEXT_MATCH, ACT_PREV_MATCH,
	ACT_PANE, ACT_OPEN, ACT_BACK,
	ACT_ALLOW, ACT_DENY, ACT_ALLOW_GROUP, ACT_DENY_GROUP, ACT_RULE,
	ACT_NOTE, ACT_DEFER, ACT_UNDEFER, ACT_UNDO, ACT_REVOKE, ACT_ESCALATE,
	ACT_PREV_MEMBER, ACT_NEXT_MEMBER, ACT_INTENT,
	ACT_NARROW, ACT_ASK_AGENT,
	ACT_VIEW_QUEUE, ACT_VIEW_RULES, ACT_VIEW_AUDIT, ACT_VIEW_AGENTS,
	ACT_REFRESH, ACT_HELP, ACT_QUIT,
	ACT_COUNT
};

/* Where a binding applies (bit set). */
enum {
	KW_QUEUE = 1 << 0,   /* the queue list */
	KW_DETAIL = 1 << 1,  /* the detail pane */
	KW_RULES = 1 << 2,
	KW_AUDIT = 1 << 3,
	KW_AGENTS = 1 << 4,
	KW_LISTS = KW_QUEUE | KW_RULES | KW_AUDIT | KW_AGENTS,
	KW_ANY = KW_LISTS | KW_DETAIL,
};

struct key_binding {
	int key;               /* character or curses KEY_* code */
	const char *name;      /* as the help shows it */
	enum key_action action;
	unsigned where;
	const char *help;      /* one line */
};

/* The table and its length. */
const struct key_binding *keys_table(size_t *n);
/* The action bound to key where (KW_* of the focused place), or ACT_NONE. */
enum key_action keys_lookup(int key, unsigned where);
/* Comma-separated names of the keys bound to action (for hints), e.g. "a". */
const char *keys_names(enum key_action action, char *buf, size_t cap);

#endif
