/* config.c -- "key = value" settings with strict validation. */
#include "broker/config.h"
#include "broker/intent/workspace.h"
#include "broker/rules/preset.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_MAX_BYTES (256 * 1024)
#define CONFIG_MAX_LINE 1024

void
config_defaults(struct config *c)
{
	c->timeout_s = 300;
	c->per_request_commit = false;
	c->fsync = false;
	c->max_pending = 100000;
	c->audit_checkpoint_rows = 1000;
	c->audit_checkpoint_ms = 10 * 60 * 1000;
	c->audit_retention_ms = 0;
	c->db_max_pages = 0;
	snprintf(c->preset, sizeof c->preset, "routine");
	c->learn_sessions = 2;
	c->learn_ttl_ms = 30LL * 86400 * 1000;
	c->remember_high_ttl_ms = 8LL * 3600 * 1000;
	c->max_pending_session = 1000;
	c->max_pending_uid = 100000 / 4;
	c->max_request_timeout_s = 3600;
	memset(c->quota_line, 0, sizeof c->quota_line);
	c->workspaces[0] = '\0';
	c->audit_checkpoint_file[0] = '\0';
	c->audit_syslog = true;
	c->undo_window_ms = 5000;
	escpolicy_defaults(&c->esc);
}

static int
parse_int(const char *v, long lo, long hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

static int
set_timeout(struct config *c, const char *v)
{
	return parse_int(v, 1, 86400, &c->timeout_s);
}

static int
set_commit(struct config *c, const char *v)
{
	if (strcmp(v, "grouped") == 0)
		c->per_request_commit = false;
	else if (strcmp(v, "each") == 0)
		c->per_request_commit = true;
	else
		return -1;
	return 0;
}

static int
set_durability(struct config *c, const char *v)
{
	if (strcmp(v, "normal") == 0)
		c->fsync = false;
	else if (strcmp(v, "fsync") == 0)
		c->fsync = true;
	else
		return -1;
	return 0;
}

static int
set_max_pending(struct config *c, const char *v)
{
	return parse_int(v, 1, 10000000, &c->max_pending);
}

/* A duration: a whole number with a unit s, m, h or d (e.g. 90d, 10m). */
static int
parse_duration_ms(const char *v, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long n;
	int64_t unit;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *v == '-' || *v == '+' || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (*end) {
	case 's': unit = 1000; break;
	case 'm': unit = 60 * 1000; break;
	case 'h': unit = 3600 * 1000; break;
	case 'd': unit = 86400 * 1000; break;
	default: return -1;
	}
	if (n < 0 || n > hi / unit || n * unit < lo)
		return -1;
	*out = n * unit;
	return 0;
}

static int
set_audit_checkpoint_rows(struct config *c, const char *v)
{
	return parse_int(v, 1, 10000000, &c->audit_checkpoint_rows);
}

static int
set_audit_checkpoint_interval(struct config *c, const char *v)
{
	return parse_duration_ms(v, 1000, 7LL * 86400 * 1000, &c->audit_checkpoint_ms);
}

static int
set_audit_retention(struct config *c, const char *v)
{
	if (strcmp(v, "forever") == 0) {
		c->audit_retention_ms = 0;
		return 0;
	}
	return parse_duration_ms(v, 1000, 100LL * 365 * 86400 * 1000, &c->audit_retention_ms);
}

static int
set_undo_window(struct config *c, const char *v)
{
	if (strcmp(v, "0") == 0) {
		c->undo_window_ms = 0;
		return 0;
	}
	return parse_duration_ms(v, 0, 10LL * 60 * 1000, &c->undo_window_ms);
}

static int
set_db_max_pages(struct config *c, const char *v)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || (n != 0 && (n < 64 || n > 4294967294LL)))
		return -1;
	c->db_max_pages = n;
	return 0;
}

/* learn_sessions: earlier sessions that make a suggestion wider (issue
 * #17); "off" or 0 never widens, 1 is refused (one session never counts). */
static int
set_learn_sessions(struct config *c, const char *v)
{
	if (strcmp(v, "off") == 0) {
		c->learn_sessions = 0;
		return 0;
	}
	if (parse_int(v, 0, 1000, &c->learn_sessions) < 0 || c->learn_sessions == 1)
		return -1;
	return 0;
}

static int
set_learn_ttl(struct config *c, const char *v)
{
	if (strcmp(v, "never") == 0) {
		c->learn_ttl_ms = 0;
		return 0;
	}
	return parse_duration_ms(v, 60 * 1000, 10LL * 365 * 86400 * 1000, &c->learn_ttl_ms);
}

static int
set_remember_high_ttl(struct config *c, const char *v)
{
	return parse_duration_ms(v, 60 * 1000, 7LL * 86400 * 1000, &c->remember_high_ttl_ms);
}

static int
set_preset(struct config *c, const char *v)
{
	if (strcmp(v, "none") == 0) {
		c->preset[0] = '\0';
		return 0;
	}
	if (preset_find(v) == NULL || strlen(v) >= sizeof c->preset)
		return -1;
	snprintf(c->preset, sizeof c->preset, "%s", v);
	return 0;
}

/* ---- quotas (issue #12) ---- */

static const char *const quota_keys[3] = { "max_pending_session", "max_pending_uid", "max_request_timeout" };

static int
set_max_pending_session(struct config *c, const char *v)
{
	return parse_int(v, 1, 10000000, &c->max_pending_session);
}

static int
set_max_pending_uid(struct config *c, const char *v)
{
	return parse_int(v, 1, 10000000, &c->max_pending_uid);
}

static int
set_max_request_timeout(struct config *c, const char *v)
{
	return parse_int(v, 1, 86400, &c->max_request_timeout_s);
}

static void
quota_note_line(struct config *c, const char *key, int lineno)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(key, quota_keys[i]) == 0)
			c->quota_line[i] = lineno;
}

/* After the whole file: derive what was not set, check what was.  A uid may
 * hold at most max_pending_uid < max_pending (the rest is the other uids'
 * reserve); unset, it is a quarter of max_pending. */
static int
quota_resolve(struct config *c, char *err, size_t errlen)
{
	if (c->quota_line[1] == 0) {
		c->max_pending_uid = c->max_pending / 4 > 0 ? c->max_pending / 4 : 1;
	} else if (c->max_pending_uid >= c->max_pending) {
		snprintf(err, errlen, "line %d: max_pending_uid must be less than max_pending (%d), "
		    "so that other uids keep a reserve", c->quota_line[1], c->max_pending);
		return -1;
	}
	if (c->quota_line[0] == 0) {
		if (c->max_pending_session > c->max_pending_uid)
			c->max_pending_session = c->max_pending_uid;
	} else if (c->max_pending_session > c->max_pending_uid) {
		snprintf(err, errlen, "line %d: max_pending_session must be at most max_pending_uid (%d)",
		    c->quota_line[0], c->max_pending_uid);
		return -1;
	}
	if (c->quota_line[2] == 0) {
		if (c->max_request_timeout_s < c->timeout_s)
			c->max_request_timeout_s = c->timeout_s;
	} else if (c->max_request_timeout_s < c->timeout_s) {
		snprintf(err, errlen, "line %d: max_request_timeout must be at least timeout (%d)",
		    c->quota_line[2], c->timeout_s);
		return -1;
	}
	return 0;
}

/* A group: an existing group's name, or a numeric gid (0 to 4294967294;
 * it need not have a name). */
static int
parse_group(const char *v, gid_t *gid, char *name, size_t namelen)
{
	struct group *gr;

	if (*v == '\0' || strlen(v) >= namelen)
		return -1;
	if (strspn(v, "0123456789") == strlen(v)) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(v, &end, 10);
		if (errno != 0 || *end != '\0' || n > 4294967294ULL)
			return -1;
		*gid = (gid_t)n;
	} else {
		if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(v) ||
		    *v == '-' || (gr = getgrnam(v)) == NULL)
			return -1;
		*gid = gr->gr_gid;
	}
	snprintf(name, namelen, "%s", v);
	return 0;
}

static int
set_console_group(struct config *c, const char *v)
{
	if (parse_group(v, &c->console_gid, c->console_group, sizeof c->console_group) < 0)
		return -1;
	c->has_console_group = true;
	return 0;
}

static int
set_agent_group(struct config *c, const char *v)
{
	if (parse_group(v, &c->agent_gid, c->agent_group, sizeof c->agent_group) < 0)
		return -1;
	c->has_agent_group = true;
	return 0;
}

/* workspaces = ~/src/x, /srv/build: checked entry by entry; lines add up. */
static int
set_workspaces(struct config *c, const char *v, char *why, size_t whylen)
{
	struct ws_list l = { .n = 0 };
	size_t have = strlen(c->workspaces), add = strlen(v);

	if (ws_list_add(&l, v, getenv("HOME"), why, whylen) < 0)
		return -1;
	ws_list_free(&l);
	if (have + 1 + add >= sizeof c->workspaces) {
		snprintf(why, whylen, "the entries add up to more than %zu bytes", sizeof c->workspaces - 1);
		return -1;
	}
	if (have > 0)
		c->workspaces[have++] = ',';
	memcpy(c->workspaces + have, v, add + 1);
	{
		/* and the whole list must hold (at most WS_MAX_ENTRIES) */
		int rc = config_workspaces(c, &l, why, whylen);

		ws_list_free(&l);
		if (rc < 0) {
			c->workspaces[have > 0 ? have - 1 : 0] = '\0';
			return -1;
		}
	}
	return 0;
}

int
config_workspaces(const struct config *c, struct ws_list *out, char *err, size_t errlen)
{
	out->n = 0;
	if (c->workspaces[0] == '\0')
		return 0;
	return ws_list_add(out, c->workspaces, getenv("HOME"), err, errlen);
}

/* ---- audit: the outside copies of the checkpoints (issue #12) ---- */

static int
set_audit_checkpoint_file(struct config *c, const char *v)
{
	/* an absolute path, or "none"; no control characters */
	if (strcmp(v, "none") != 0 && v[0] != '/')
		return -1;
	for (const char *p = v; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -1;
	if (strlen(v) >= sizeof c->audit_checkpoint_file)
		return -1;
	snprintf(c->audit_checkpoint_file, sizeof c->audit_checkpoint_file, "%s", v);
	return 0;
}

static int
set_audit_syslog(struct config *c, const char *v)
{
	if (strcmp(v, "on") == 0)
		c->audit_syslog = true;
	else if (strcmp(v, "off") == 0)
		c->audit_syslog = false;
	else
		return -1;
	return 0;
}

static const struct config_key {
	const char *name;
	const char *expect;
	int (*set)(struct config *, const char *);
	int (*set_why)(struct config *, const char *, char *, size_t); /* says what is wrong itself */
} config_keys[] = {
	{ .name = "timeout", .expect = "seconds, 1 to 86400", .set = set_timeout },
	{ .name = "commit", .expect = "grouped or each", .set = set_commit },
	{ .name = "durability", .expect = "normal or fsync", .set = set_durability },
	{ .name = "max_pending", .expect = "a count, 1 to 10000000", .set = set_max_pending },
	{ .name = "audit_checkpoint_rows", .expect = "a count, 1 to 10000000",
	  .set = set_audit_checkpoint_rows },
	{ .name = "audit_checkpoint_interval", .expect = "a duration from 1s to 7d (e.g. 10m)",
	  .set = set_audit_checkpoint_interval },
	{ .name = "audit_retention", .expect = "forever or a duration of at least 1s (e.g. 365d)",
	  .set = set_audit_retention },
	{ .name = "db_max_pages", .expect = "0 (no limit) or a page count, 64 to 4294967294",
	  .set = set_db_max_pages },
	{ .name = "preset", .expect = "routine or none", .set = set_preset },
	{ .name = "learn_sessions", .expect = "off, or a count of earlier sessions, 2 to 1000",
	  .set = set_learn_sessions },
	{ .name = "learn_ttl", .expect = "never or a duration from 1m (e.g. 30d)", .set = set_learn_ttl },
	{ .name = "remember_high_ttl", .expect = "a duration from 1m to 7d (e.g. 8h)",
	  .set = set_remember_high_ttl },
	{ .name = "max_pending_session", .expect = "a count, 1 to 10000000", .set = set_max_pending_session },
	{ .name = "max_pending_uid", .expect = "a count, 1 to 10000000", .set = set_max_pending_uid },
	{ .name = "max_request_timeout", .expect = "seconds, 1 to 86400", .set = set_max_request_timeout },
	/* who may reach the sockets (issue #12: system broker, docs/SYSTEM-BROKER.md) */
	{ .name = "console_group", .expect = "the name of an existing group or a numeric gid",
	  .set = set_console_group },
	{ .name = "agent_group", .expect = "the name of an existing group or a numeric gid",
	  .set = set_agent_group },
	{ .name = "workspaces", .set_why = set_workspaces },
	{ .name = "audit_checkpoint_file", .expect = "an absolute path or none",
	  .set = set_audit_checkpoint_file },
	{ .name = "audit_syslog", .expect = "on or off", .set = set_audit_syslog },
	{ .name = "undo_window", .expect = "0 (off) or a duration up to 10m (e.g. 5s)", .set = set_undo_window },
};

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Apply one line (NUL-terminated, no newline); 0 or -1 with err. */
static int
parse_line(struct config *c, char *line, int lineno, char *err, size_t errlen)
{
	char *eq, *key, *val;
	size_t i;

	line = trim(line);
	if (*line == '\0' || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL) {
		snprintf(err, errlen, "line %d: expected key = value", lineno);
		return -1;
	}
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	for (i = 0; i < sizeof config_keys / sizeof config_keys[0]; i++) {
		if (strcmp(key, config_keys[i].name) != 0)
			continue;
		if (config_keys[i].set_why != NULL) {
			char why[384];

			if (config_keys[i].set_why(c, val, why, sizeof why) < 0) {
				snprintf(err, errlen, "line %d: %s: %s", lineno, key, why);
				return -1;
			}
			return 0;
		}
		if (config_keys[i].set(c, val) < 0) {
			snprintf(err, errlen, "line %d: %s must be %s", lineno, key,
			    config_keys[i].expect);
			return -1;
		}
		quota_note_line(c, key, lineno);
		return 0;
	}
	if (escpolicy_key(key)) {
		char why[384];

		if (escpolicy_set(&c->esc, key, val, lineno, why, sizeof why) < 0) {
			snprintf(err, errlen, "line %d: %.64s: %s", lineno, key, why);
			return -1;
		}
		return 0;
	}
	snprintf(err, errlen, "line %d: unknown setting '%.64s'", lineno, key);
	return -1;
}

int
config_parse(struct config *c, const char *text, size_t len, char *err, size_t errlen)
{
	char line[CONFIG_MAX_LINE + 1];
	size_t pos = 0;
	int lineno = 0;

	if (len > CONFIG_MAX_BYTES) {
		snprintf(err, errlen, "config is larger than %d bytes", CONFIG_MAX_BYTES);
		return -1;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;

		lineno++;
		if (n > CONFIG_MAX_LINE) {
			snprintf(err, errlen, "line %d: longer than %d bytes", lineno, CONFIG_MAX_LINE);
			return -1;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (strlen(line) != n) {
			snprintf(err, errlen, "line %d: contains a NUL byte", lineno);
			return -1;
		}
		if (parse_line(c, line, lineno, err, errlen) < 0)
			return -1;
		pos += n + 1;
	}
	return quota_resolve(c, err, errlen);
}

int
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;
	int rc;

	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(CONFIG_MAX_BYTES + 1);
	if (buf == NULL) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = fread(buf, 1, CONFIG_MAX_BYTES + 1, f);
	fclose(f);
	rc = config_parse(c, buf, n, err, errlen);
	if (rc < 0) {
		char msg[256];

		snprintf(msg, sizeof msg, "%s", err);
		snprintf(err, errlen, "%s: %s", path, msg);
	}
	free(buf);
	return rc;
}
