/* keys.c -- the key table. */
#include "tui/keys.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define CTRL(c) ((c) & 0x1f)

/* One entry per key; several keys may share an action.  Order is the order
 * of the help overlay. */
static const struct key_binding table[] = {
	{ .key = 'j', .name = "j", .action = ACT_DOWN, .where = KW_ANY, .help = "next row (detail: scroll down)" },
	{ .key = KEY_DOWN, .name = "Down", .action = ACT_DOWN, .where = KW_ANY, .help = "next row" },
	{ .key = 'k', .name = "k", .action = ACT_UP, .where = KW_ANY, .help = "previous row (detail: scroll up)" },
	{ .key = KEY_UP, .name = "Up", .action = ACT_UP, .where = KW_ANY, .help = "previous row" },
	{ .key = 'g', .name = "g", .action = ACT_TOP, .where = KW_ANY, .help = "first row" },
	{ .key = KEY_HOME, .name = "Home", .action = ACT_TOP, .where = KW_ANY, .help = "first row" },
	{ .key = 'G', .name = "G", .action = ACT_BOTTOM, .where = KW_ANY, .help = "last row" },
	{ .key = KEY_END, .name = "End", .action = ACT_BOTTOM, .where = KW_ANY, .help = "last row" },
	{ .key = KEY_NPAGE, .name = "PgDn", .action = ACT_PAGE_DOWN, .where = KW_ANY, .help = "page down" },
	{ .key = ' ', .name = "Space", .action = ACT_PAGE_DOWN, .where = KW_ANY, .help = "page down" },
	{ .key = KEY_PPAGE, .name = "PgUp", .action = ACT_PAGE_UP, .where = KW_ANY, .help = "page up" },
	{ .key = '/', .name = "/", .action = ACT_FILTER, .where = KW_ANY,
	  .help = "filter: words must all match; agent: kind: risk: decision: narrow a field" },
	{ .key = 'n', .name = "n", .action = ACT_NEXT_MATCH, .where = KW_ANY,
	  .help = "next match of the filter (detail: next line containing it)" },
	{ .key = 'N', .name = "N", .action = ACT_PREV_MATCH, .where = KW_ANY, .help = "previous match" },
	{ .key = '\t', .name = "Tab", .action = ACT_PANE, .where = KW_ANY, .help = "switch between list and detail" },
	{ .key = '\n', .name = "Enter", .action = ACT_OPEN, .where = KW_LISTS, .help = "open the detail of the selected row" },
	{ .key = KEY_ENTER, .name = "Enter", .action = ACT_OPEN, .where = KW_LISTS, .help = "open the detail" },
	{ .key = 'l', .name = "l", .action = ACT_OPEN, .where = KW_LISTS, .help = "open the detail" },
	{ .key = 27, .name = "Esc", .action = ACT_BACK, .where = KW_ANY, .help = "back to the list; clear the filter" },
	{ .key = 'h', .name = "h", .action = ACT_BACK, .where = KW_DETAIL, .help = "back to the list" },
	{ .key = KEY_BACKSPACE, .name = "Backspace", .action = ACT_BACK, .where = KW_DETAIL, .help = "back to the list" },
	{ .key = 'a', .name = "a", .action = ACT_ALLOW, .where = KW_QUEUE | KW_DETAIL, .help = "allow this request once" },
	{ .key = 'd', .name = "d", .action = ACT_DENY, .where = KW_QUEUE | KW_DETAIL, .help = "deny this request once" },
	{ .key = 'A', .name = "A", .action = ACT_ALLOW_GROUP, .where = KW_QUEUE | KW_DETAIL, .help = "allow the whole group" },
	{ .key = 'D', .name = "D", .action = ACT_DENY_GROUP, .where = KW_QUEUE | KW_DETAIL, .help = "deny the whole group" },
	{ .key = 's', .name = "s", .action = ACT_RULE, .where = KW_QUEUE | KW_DETAIL,
	  .help = "decide the group and remember it: pattern, for whom, how long, up to which risk" },
	{ .key = 'e', .name = "e", .action = ACT_NARROW, .where = KW_QUEUE | KW_DETAIL,
	  .help = "narrow: edit the command, path or URL and allow that instead (only when its agent can apply it)" },
	{ .key = 'p', .name = "p", .action = ACT_ASK_AGENT, .where = KW_QUEUE | KW_DETAIL,
	  .help = "hand this request to the agent's own permission prompt (only where the agent has one)" },
	{ .key = 'c', .name = "c", .action = ACT_NOTE, .where = KW_QUEUE | KW_DETAIL, .help = "write a note for the next decision" },
	{ .key = 'z', .name = "z", .action = ACT_DEFER, .where = KW_QUEUE | KW_DETAIL,
	  .help = "defer: hide the group for 10 minutes (never past its first deadline)" },
	{ .key = 'Z', .name = "Z", .action = ACT_UNDEFER, .where = KW_QUEUE | KW_DETAIL, .help = "show deferred groups again" },
	{ .key = 'E', .name = "E", .action = ACT_ESCALATE, .where = KW_QUEUE | KW_DETAIL,
	  .help = "escalate the group to on-call now (pager, on-call consoles)" },
	{ .key = 'u', .name = "u", .action = ACT_UNDO, .where = KW_ANY, .help = "undo: revoke the rule just created; what it allowed besides goes back to the queue (within undo_window)" },
	{ .key = 'x', .name = "x", .action = ACT_REVOKE, .where = KW_RULES, .help = "revoke the selected rule" },
	{ .key = '[', .name = "[", .action = ACT_PREV_MEMBER, .where = KW_QUEUE | KW_DETAIL, .help = "previous request of the group" },
	{ .key = ']', .name = "]", .action = ACT_NEXT_MEMBER, .where = KW_QUEUE | KW_DETAIL, .help = "next request of the group" },
	{ .key = 'i', .name = "i", .action = ACT_INTENT, .where = KW_QUEUE | KW_DETAIL,
	  .help = "show or fold the broker's intent map in the detail" },
	{ .key = '1', .name = "1", .action = ACT_VIEW_QUEUE, .where = KW_ANY, .help = "Queue view" },
	{ .key = '2', .name = "2", .action = ACT_VIEW_RULES, .where = KW_ANY, .help = "Rules view" },
	{ .key = '3', .name = "3", .action = ACT_VIEW_AUDIT, .where = KW_ANY, .help = "Audit view (recent decisions)" },
	{ .key = '4', .name = "4", .action = ACT_VIEW_AGENTS, .where = KW_ANY, .help = "Agents view" },
	{ .key = 'r', .name = "r", .action = ACT_REFRESH, .where = KW_ANY, .help = "refetch from the broker and redraw" },
	{ .key = CTRL('l'), .name = "C-l", .action = ACT_REFRESH, .where = KW_ANY, .help = "redraw" },
	{ .key = '?', .name = "?", .action = ACT_HELP, .where = KW_ANY, .help = "this help" },
	{ .key = 'q', .name = "q", .action = ACT_QUIT, .where = KW_ANY, .help = "quit (pending requests stay pending)" },
};

const struct key_binding *
keys_table(size_t *n)
{
	*n = sizeof table / sizeof table[0];
	return table;
}

enum key_action
keys_lookup(int key, unsigned where)
{
	if (key == '\r')
		key = '\n';
	if (key == 127 || key == CTRL('h'))
		key = KEY_BACKSPACE;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].key == key && (table[i].where & where))
			return table[i].action;
	return ACT_NONE;
}

const char *
keys_names(enum key_action action, char *buf, size_t cap)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (table[i].action != action || strstr(buf, table[i].name) != NULL)
			continue;
		len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s%s", len ? "," : "", table[i].name);
		if (len >= cap)
			break;
	}
	return buf;
}
