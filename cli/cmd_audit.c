/* cmd_audit.c -- `sandgate audit`: read, export and verify the audit log.
 *
 * Reads the DB directly, read-only ($SANDGATE_DB or the default path), so it
 * works with or without a running broker (WAL readers never block it).
 * Field names of --json, jsonl and csv output are stable (docs/AUDIT.md). */
#include "cli/cli.h"
#include "proto/wallclock.h"
#include "broker/record/audit.h"
#include "broker/record/auditcopy.h"
#include "broker/record/checkpoint.h"
#include "broker/config.h"
#include "proto/paths.h"
#include "tui/text.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CMD "audit"

static const char *const levels[] = { "low", "medium", "high", "critical" };

/* ---- opening ---- */

/* True when some process holds a lock in PATH-shm (SQLite's connections
 * each hold one on its "DMS" byte, offset 128, while the database is
 * open): the database is live, whatever its -wal file looks like. */
static bool
shm_in_use(const char *path)
{
	char shm[PATH_MAX + 8];
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 128, .l_len = 1 };
	int fd;
	bool used;

	snprintf(shm, sizeof shm, "%s-shm", path);
	if ((fd = open(shm, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return false;
	used = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return used;
}

/* True when path is a WAL-mode SQLite database (header bytes 18 and 19 are
 * 2) with no PATH-wal beside it, or an empty one that no open connection
 * uses (reading such a copy leaves an empty -wal behind; a running broker
 * may have emptied its own, and then holds its -shm).  A broker that
 * stopped cleanly leaves no -wal either (its last connection folds it
 * back in); a copy made while the broker ran, without the -wal file, lacks
 * the newest pages.  Call it before sqlite3_open_v2. */
static bool
wal_left_behind(const char *path)
{
	unsigned char h[100];
	char wal[PATH_MAX + 8];
	struct stat st;
	FILE *f = fopen(path, "rb");
	bool walmode;

	if (f == NULL)
		return false;
	walmode = fread(h, 1, sizeof h, f) == sizeof h && memcmp(h, "SQLite format 3", 16) == 0 &&
	    h[18] == 2 && h[19] == 2;
	fclose(f);
	snprintf(wal, sizeof wal, "%s-wal", path);
	if (!walmode)
		return false;
	if (stat(wal, &st) < 0)
		return errno == ENOENT;
	return st.st_size == 0 && !shm_in_use(path);
}

/* The message for a log that shows nothing where a -wal file is missing
 * (issue #16: such a copy used to verify as "0 rows"). */
static void
say_incomplete(const char *path, const char *what)
{
	cli_err(CMD, "%s %s, and it is a WAL database without %s-wal beside it: the copy looks "
	    "incomplete (WAL not copied).  Copy %s-wal with it while the broker runs, or copy with "
	    "`sqlite3 %s \".backup COPY\"`", path, what, path, path, path);
}

static bool
log_empty(sqlite3 *db)
{
	sqlite3_stmt *st;
	bool empty = false;

	if (sqlite3_prepare_v2(db, "SELECT 1 FROM audit LIMIT 1", -1, &st, NULL) == SQLITE_OK) {
		empty = sqlite3_step(st) == SQLITE_DONE;
		sqlite3_finalize(st);
	}
	return empty;
}

static sqlite3 *
open_log(char **path_out)
{
	char *path = paths_db();
	sqlite3 *db = NULL;
	struct stat st;
	bool left_behind;

	if (path == NULL) {
		cli_err(CMD, "out of memory");
		return NULL;
	}
	if (stat(path, &st) < 0) {
		cli_err(CMD, "no audit log at %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	left_behind = wal_left_behind(path);
	/* one thread, read-only: no per-call mutex; mmap saves a copy per page */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		cli_err(CMD, "cannot open %s read-only: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		free(path);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	sqlite3_exec(db, "PRAGMA mmap_size = 4294967296", NULL, NULL, NULL);
	if (sqlite3_exec(db, "SELECT 1 FROM audit_meta LIMIT 1", NULL, NULL, NULL) != SQLITE_OK) {
		if (left_behind)
			say_incomplete(path, "has no audit log");
		else
			cli_err(CMD, "%s has no audit log yet (a broker of this version adds it when it starts)", path);
		sqlite3_close(db);
		free(path);
		return NULL;
	}
	/* nothing recorded and the -wal file missing: not "0 rows, verified" */
	if (left_behind && log_empty(db)) {
		say_incomplete(path, "holds no audit rows");
		sqlite3_close(db);
		free(path);
		return NULL;
	}
	if (path_out != NULL)
		*path_out = path;
	else
		free(path);
	return db;
}

/* ---- time ---- */

/* T: "30m" / "2h" / "7d" / "45s" ago, "@SECONDS", "YYYY-MM-DD", or
 * "YYYY-MM-DDTHH:MM[:SS]" (local time; UTC with a trailing Z). */
static int
parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;
	char *e;
	long long n;

	if (*s == '@') {
		errno = 0;
		n = strtoll(s + 1, &e, 10);
		if (errno != 0 || e == s + 1 || *e != '\0' || n < 0 || n > INT64_MAX / 1000)
			return -1;
		*out = n * 1000;
		return 0;
	}
	errno = 0;
	n = strtoll(s, &e, 10);
	if (errno == 0 && e != s && *s != '-' && *s != '+' && e[0] != '\0' && e[1] == '\0' &&
	    strchr("smhd", e[0]) != NULL && n >= 0 && n < 100LL * 365 * 86400) {
		int64_t unit = e[0] == 's' ? 1000 : e[0] == 'm' ? 60000 : e[0] == 'h' ? 3600000 : 86400000;

		*out = wall_clock_ms() - n * unit;
		return 0;
	}
	memset(&tm, 0, sizeof tm);
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL &&
	    (end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm)) == NULL &&
	    (memset(&tm, 0, sizeof tm), (end = strptime(s, "%Y-%m-%dT%H:%M", &tm)) == NULL) &&
	    (end = strptime(s, "%Y-%m-%d %H:%M", &tm)) == NULL &&
	    (memset(&tm, 0, sizeof tm), (end = strptime(s, "%Y-%m-%d", &tm)) == NULL))
		return -1;
	if (strcmp(end, "Z") == 0) {
		*out = (int64_t)timegm(&tm) * 1000;
		return 0;
	}
	if (*end != '\0')
		return -1;
	tm.tm_isdst = -1;
	*out = (int64_t)mktime(&tm) * 1000;
	return 0;
}

/* "2026-05-01T12:00:03.123Z" */
static void
iso_utc(int64_t ms, char *buf, size_t cap)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char base[32];

	gmtime_r(&t, &tm);
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, cap, "%s.%03dZ", base, (int)(ms % 1000));
}

/* ---- converting one row ---- */

static char *
b64(const void *p, size_t n)
{
	size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *s = malloc(cap);

	if (s != NULL)
		sodium_bin2base64(s, cap, p, n, sodium_base64_VARIANT_ORIGINAL);
	return s;
}

/* A text value as JSON: a string if it is UTF-8, else {"base64": bytes}. */
static json_t *
json_text(const void *p, size_t n)
{
	json_t *j = json_stringn(p, n);
	char *s;

	if (j != NULL)
		return j;
	if ((s = b64(p, n)) == NULL)
		return json_null();
	j = json_pack("{s:s}", "base64", s);
	free(s);
	return j;
}

/* The stored request as JSON; elided values become {"elided": {size, sha256}}. */
static json_t *
request_value(const msgpack_object *o, int depth)
{
	json_t *j;

	if (depth > 40)
		return json_null();
	if (o->type == MSGPACK_OBJECT_EXT && o->via.ext.type == AUDIT_ELIDED_EXT && o->via.ext.size == 40) {
		const uint8_t *p = (const uint8_t *)o->via.ext.ptr;
		uint64_t size = 0;
		char hex[65];

		for (int i = 0; i < 8; i++)
			size = size << 8 | p[i];
		ckpt_hex(p + 8, 32, hex);
		return json_pack("{s:{s:I,s:s}}", "elided", "size", (json_int_t)size, "sha256", hex);
	}
	if (o->type == MSGPACK_OBJECT_ARRAY) {
		j = json_array();
		for (uint32_t i = 0; i < o->via.array.size; i++)
			json_array_append_new(j, request_value(&o->via.array.ptr[i], depth + 1));
		return j;
	}
	if (o->type == MSGPACK_OBJECT_MAP) {
		j = json_object();
		for (uint32_t i = 0; i < o->via.map.size; i++) {
			const msgpack_object *k = &o->via.map.ptr[i].key;

			if (k->type == MSGPACK_OBJECT_STR)
				json_object_setn_new(j, k->via.str.ptr, k->via.str.size,
				    request_value(&o->via.map.ptr[i].val, depth + 1));
		}
		return j;
	}
	return mpjson_from_msgpack(o);
}

static json_t *
request_json(const void *p, size_t n)
{
	msgpack_unpacked up;
	size_t off = 0;
	json_t *j;

	msgpack_unpacked_init(&up);
	if (msgpack_unpack_next(&up, p, n, &off) != MSGPACK_UNPACK_SUCCESS) {
		msgpack_unpacked_destroy(&up);
		return json_null();
	}
	j = request_value(&up.data, 0);
	msgpack_unpacked_destroy(&up);
	return j;
}

/* Every field of the current row of a statement made from audit_select_sql,
 * in the documented order, plus the derived recorded_at/decided_at and
 * request_b64. */
static json_t *
row_json(sqlite3_stmt *st)
{
	json_t *o = json_object();

	for (int i = 0; i < AF_COUNT + 2; i++) {
		const char *name = i < AF_COUNT ? audit_fields[i].name : i == AF_COUNT ? "prev_hash" : "hash";
		const void *p = sqlite3_column_blob(st, i);
		size_t n = (size_t)sqlite3_column_bytes(st, i);
		json_t *v;

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER: v = json_integer(sqlite3_column_int64(st, i)); break;
		case SQLITE_NULL: v = json_null(); break;
		case SQLITE_TEXT: v = json_text(sqlite3_column_text(st, i), n); break;
		default:
			if (i == AF_REQUEST) {
				char *s = b64(p, n);

				json_object_set_new(o, "request", request_json(p, n));
				json_object_set_new(o, "request_b64", s ? json_string(s) : json_null());
				free(s);
				continue;
			} else {
				char *hex = malloc(2 * n + 1);

				if (hex != NULL)
					ckpt_hex(p, n, hex);
				v = hex ? json_string(hex) : json_null();
				free(hex);
			}
		}
		json_object_set_new(o, name, v);
		if (i == AF_RECORDED_MS || i == AF_DECIDED_MS) {
			char iso[40];

			iso_utc(sqlite3_column_int64(st, i), iso, sizeof iso);
			json_object_set_new(o, i == AF_RECORDED_MS ? "recorded_at" : "decided_at", json_string(iso));
		}
	}
	return o;
}

static void
print_json_line(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

	if (s != NULL) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
}

/* ---- csv ---- */

static bool csv_tty;

/* RFC 4180: quoted, quotes doubled; bytes kept as they are (escaped for
 * the eye when stdout is a terminal). */
static void
csv_text(const char *p, size_t n)
{
	char *esc = NULL;

	if (csv_tty && (esc = text_escape(p, n, 0, NULL)) != NULL) {
		p = esc;
		n = strlen(esc);
	}
	fputc('"', stdout);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"')
			fputc('"', stdout);
		fputc(p[i], stdout);
	}
	fputc('"', stdout);
	free(esc);
}

static void
csv_header(void)
{
	json_t *names = json_array();
	size_t i;
	json_t *v;

	for (int k = 0; k < AF_COUNT + 2; k++) {
		const char *name = k < AF_COUNT ? audit_fields[k].name : k == AF_COUNT ? "prev_hash" : "hash";

		json_array_append_new(names, json_string(name));
		if (k == AF_RECORDED_MS)
			json_array_append_new(names, json_string("recorded_at"));
		if (k == AF_DECIDED_MS)
			json_array_append_new(names, json_string("decided_at"));
		if (k == AF_REQUEST)
			json_array_append_new(names, json_string("request_b64"));
	}
	json_array_foreach(names, i, v) {
		if (i > 0)
			fputc(',', stdout);
		fputs(json_string_value(v), stdout);
	}
	fputs("\r\n", stdout);
	json_decref(names);
}

/* One CSV record from the row's JSON (same fields, same order). */
static void
csv_row(sqlite3_stmt *st)
{
	json_t *o = row_json(st);
	const char *k;
	json_t *v;
	bool first = true;

	json_object_foreach(o, k, v) {
		if (!first)
			fputc(',', stdout);
		first = false;
		if (json_is_integer(v)) {
			printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
		} else if (json_is_string(v) && strcmp(k, "request") != 0) {
			/* text columns: the exact stored bytes, not the JSON form */
			int col = -1;

			for (int i = 0; i < AF_COUNT; i++)
				if (strcmp(audit_fields[i].name, k) == 0 && audit_fields[i].type == 't')
					col = i;
			if (col >= 0)
				csv_text((const char *)sqlite3_column_text(st, col), (size_t)sqlite3_column_bytes(st, col));
			else
				csv_text(json_string_value(v), json_string_length(v));
		} else if (json_is_object(v) && strcmp(k, "request") != 0) {
			int col = -1;

			for (int i = 0; i < AF_COUNT; i++)
				if (strcmp(audit_fields[i].name, k) == 0)
					col = i;
			if (col >= 0) /* text that is not UTF-8: its bytes */
				csv_text((const char *)sqlite3_column_text(st, col), (size_t)sqlite3_column_bytes(st, col));
		} else if (!json_is_null(v)) {
			char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

			csv_text(s != NULL ? s : "", s != NULL ? strlen(s) : 0);
			free(s);
		}
	}
	fputs("\r\n", stdout);
	json_decref(o);
}

/* ---- human lines ---- */

static void
human_row(sqlite3_stmt *st)
{
	char when[32], by[200];
	time_t t = (time_t)(sqlite3_column_int64(st, AF_DECIDED_MS) / 1000);
	struct tm tm;
	char *agent = text_escape((const char *)sqlite3_column_text(st, AF_AGENT),
	    (size_t)sqlite3_column_bytes(st, AF_AGENT), 24, NULL);
	char *summary = text_escape((const char *)sqlite3_column_text(st, AF_SUMMARY),
	    (size_t)sqlite3_column_bytes(st, AF_SUMMARY), 100, NULL);
	char *name = sqlite3_column_type(st, AF_REVIEWER_NAME) == SQLITE_TEXT
	    ? text_escape((const char *)sqlite3_column_text(st, AF_REVIEWER_NAME),
	          (size_t)sqlite3_column_bytes(st, AF_REVIEWER_NAME), 32, NULL) : NULL;
	const char *level = sqlite3_column_type(st, AF_RISK_LEVEL) == SQLITE_TEXT
	    ? (const char *)sqlite3_column_text(st, AF_RISK_LEVEL) : "-";
	char *lvl = text_escape(level, strlen(level), 12, NULL);

	char seq[32], req[40] = "request -", rule[32] = "";

	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	/* labelled: the audit sequence number is not a request id (`decide`
	 * takes those), and a rule decision names its rule */
	snprintf(seq, sizeof seq, "seq %lld", (long long)sqlite3_column_int64(st, AF_SEQ));
	if (sqlite3_column_type(st, AF_REQUEST_ID) == SQLITE_INTEGER)
		snprintf(req, sizeof req, "request %lld", (long long)sqlite3_column_int64(st, AF_REQUEST_ID));
	if (sqlite3_column_type(st, AF_RULE_ID) == SQLITE_INTEGER)
		snprintf(rule, sizeof rule, " %lld", (long long)sqlite3_column_int64(st, AF_RULE_ID));
	snprintf(by, sizeof by, "%s%s%s%s", sqlite3_column_text(st, AF_DECIDED_BY), rule, name ? " " : "",
	    name ? name : "");
	{
		char *esc_by = text_escape(by, strlen(by), 40, NULL);

		printf("%-10s %s  %-14s %-5s %-24s %-9s %-24s %s\n", seq, when, req,
		    sqlite3_column_text(st, AF_DECISION), esc_by ? esc_by : "?", lvl ? lvl : "-",
		    agent ? agent : "?", summary ? summary : "?");
		free(esc_by);
	}
	free(agent);
	free(summary);
	free(name);
	free(lvl);
}

/* ---- tail ---- */

static int
print_rows(sqlite3_stmt *st, bool json, int64_t *last)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (json) {
			json_t *o = row_json(st);

			print_json_line(o);
			json_decref(o);
		} else {
			human_row(st);
		}
		if (last != NULL)
			*last = sqlite3_column_int64(st, AF_SEQ);
	}
	fflush(stdout);
	return rc == SQLITE_DONE ? 0 : -1;
}

static int
positive(const char *s, int64_t *out)
{
	char *e;
	long long v;

	errno = 0;
	v = strtoll(s, &e, 10);
	if (errno != 0 || e == s || *e != '\0' || v < 0)
		return -1;
	*out = v;
	return 0;
}

static int
run_tail(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "lines", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	bool follow = false, json = false;
	int64_t n = 10, last = 0;
	sqlite3 *db;
	sqlite3_stmt *st;
	char sql[2048];
	int c;

	optind = 1;
	while ((c = cli_getopt("audit tail", argc, argv, "+fjn:", opts)) != -1) {
		if (c == 'f')
			follow = true;
		else if (c == 'j')
			json = true;
		else if (c == 'n' && positive(optarg, &n) == 0)
			continue;
		else
			return c == 'n' ? (cli_err(CMD, "-n takes a count"), EXIT_USAGE) : EXIT_USAGE;
	}
	if (optind != argc) {
		cli_err(CMD, "tail: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if ((db = open_log(NULL)) == NULL)
		return EXIT_UNREACHABLE;
	snprintf(sql, sizeof sql, "SELECT * FROM (%s ORDER BY seq DESC LIMIT ?) ORDER BY seq", audit_select_sql);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	sqlite3_bind_int64(st, 1, n);
	if (print_rows(st, json, &last) < 0)
		goto sqlerr;
	sqlite3_finalize(st);
	if (follow) {
		snprintf(sql, sizeof sql, "%s WHERE seq > ? ORDER BY seq LIMIT 10000", audit_select_sql);
		if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			goto sqlerr;
		for (;;) {
			sqlite3_bind_int64(st, 1, last);
			if (print_rows(st, json, &last) < 0)
				goto sqlerr;
			sqlite3_reset(st);
			usleep(200000);
		}
	}
	sqlite3_close(db);
	return EXIT_OK;
sqlerr:
	cli_err(CMD, "cannot read the audit log: %s", sqlite3_errmsg(db));
	sqlite3_close(db);
	return EXIT_UNREACHABLE;
}

/* ---- query and export ---- */

struct filter {
	const char *agent, *decision, *by;
	int64_t since, until, after;
	int min_level;       /* -1: any */
};

static int
parse_level(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, levels[i]) == 0)
			return i;
	return -1;
}

/* Append the WHERE clause for f to sql (binds in bind_filter's order). */
static void
where_clause(const struct filter *f, char *sql, size_t cap)
{
	size_t n = strlen(sql);
	bool any = false;

#define COND(text) do { n += (size_t)snprintf(sql + n, cap - n, "%s%s", any ? " AND " : " WHERE ", text); any = true; } while (0)
	if (f->agent != NULL)
		COND("agent = ?");
	if (f->decision != NULL)
		COND("decision = ?");
	if (f->by != NULL)
		COND("decided_by = ?");
	if (f->since > INT64_MIN)
		COND("decided_ms >= ?");
	if (f->until < INT64_MAX)
		COND("decided_ms < ?");
	if (f->after > 0)
		COND("seq > ?");
	if (f->min_level >= 0) {
		char cond[160] = "risk_level IN (";

		for (int i = f->min_level; i < 4; i++)
			snprintf(cond + strlen(cond), sizeof cond - strlen(cond), "%s'%s'", i > f->min_level ? "," : "",
			    levels[i]);
		strcat(cond, ")");
		COND(cond);
	}
#undef COND
}

static int
bind_filter(sqlite3_stmt *st, const struct filter *f)
{
	int i = 1;

	if (f->agent != NULL)
		sqlite3_bind_text(st, i++, f->agent, -1, SQLITE_STATIC);
	if (f->decision != NULL)
		sqlite3_bind_text(st, i++, f->decision, -1, SQLITE_STATIC);
	if (f->by != NULL)
		sqlite3_bind_text(st, i++, f->by, -1, SQLITE_STATIC);
	if (f->since > INT64_MIN)
		sqlite3_bind_int64(st, i++, f->since);
	if (f->until < INT64_MAX)
		sqlite3_bind_int64(st, i++, f->until);
	if (f->after > 0)
		sqlite3_bind_int64(st, i++, f->after);
	return i;
}

/* Options shared by query and export; returns 0, or EXIT_USAGE. */
static int
filter_opt(struct filter *f, int c, const char *arg)
{
	switch (c) {
	case 'a': f->agent = arg; return 0;
	case 'D':
		if (strcmp(arg, "allow") != 0 && strcmp(arg, "deny") != 0) {
			cli_err(CMD, "--decision must be allow or deny");
			return EXIT_USAGE;
		}
		f->decision = arg;
		return 0;
	case 'b': f->by = arg; return 0;
	case 's':
	case 'u':
		if (parse_time(arg, c == 's' ? &f->since : &f->until) < 0) {
			cli_err(CMD, "bad time '%s' (use 30m, 2h, 7d, @EPOCH, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z])", arg);
			return EXIT_USAGE;
		}
		return 0;
	case 'A':
		if (positive(arg, &f->after) < 0) {
			cli_err(CMD, "--after takes a sequence number");
			return EXIT_USAGE;
		}
		return 0;
	case 'r':
		if ((f->min_level = parse_level(arg)) < 0) {
			cli_err(CMD, "--risk must be low, medium, high or critical");
			return EXIT_USAGE;
		}
		return 0;
	}
	return EXIT_USAGE;
}

#define FILTER_OPTS \
	{ "agent", required_argument, NULL, 'a' }, \
	{ "decision", required_argument, NULL, 'D' }, \
	{ "by", required_argument, NULL, 'b' }, \
	{ "since", required_argument, NULL, 's' }, \
	{ "until", required_argument, NULL, 'u' }, \
	{ "after", required_argument, NULL, 'A' }, \
	{ "risk", required_argument, NULL, 'r' }

/* The end of a command that printed rows: say why reading stopped early,
 * close the statement and the database, and check the output was written. */
static int
end_rows(sqlite3 *db, sqlite3_stmt *st, int rc)
{
	if (rc != SQLITE_DONE)
		cli_err(CMD, "cannot read the audit log: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_err(CMD, "cannot write the output: %s", strerror(errno));
		return EXIT_UNREACHABLE;
	}
	return rc == SQLITE_DONE ? EXIT_OK : EXIT_UNREACHABLE;
}

static int
run_select(const struct filter *f, const char *order, int64_t limit, bool json, bool csv)
{
	char sql[2560];
	sqlite3_stmt *st;
	sqlite3 *db = open_log(NULL);
	int i, rc;

	if (db == NULL)
		return EXIT_UNREACHABLE;
	snprintf(sql, sizeof sql, "%s", audit_select_sql);
	where_clause(f, sql, sizeof sql);
	snprintf(sql + strlen(sql), sizeof sql - strlen(sql), " ORDER BY seq %s%s", order,
	    limit > 0 ? " LIMIT ?" : "");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		cli_err(CMD, "cannot read the audit log: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		return EXIT_UNREACHABLE;
	}
	i = bind_filter(st, f);
	if (limit > 0)
		sqlite3_bind_int64(st, i, limit);
	if (csv) {
		csv_tty = isatty(1);
		csv_header();
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			csv_row(st);
	} else {
		rc = print_rows(st, json, NULL) == 0 ? SQLITE_DONE : SQLITE_ERROR;
	}
	return end_rows(db, st, rc);
}

static int
run_query(int argc, char **argv)
{
	static const struct option opts[] = {
		FILTER_OPTS,
		{ "limit", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct filter f = { .since = INT64_MIN, .until = INT64_MAX, .min_level = -1 };
	int64_t limit = 100;
	bool json = false;
	int c;

	optind = 1;
	while ((c = cli_getopt("audit query", argc, argv, "+jn:", opts)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'n' && positive(optarg, &limit) == 0)
			continue;
		else if (c == 'n')
			return cli_err(CMD, "--limit takes a count"), EXIT_USAGE;
		else if (c == '?' || filter_opt(&f, c, optarg) != 0)
			return EXIT_USAGE;
	}
	if (optind != argc) {
		cli_err(CMD, "query: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	return run_select(&f, "DESC", limit, json, false);
}

static int export_checkpoints(int64_t after);

static int
run_export(int argc, char **argv)
{
	static const struct option opts[] = {
		FILTER_OPTS,
		{ "format", required_argument, NULL, 'F' },
		{ "checkpoint", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	struct filter f = { .since = INT64_MIN, .until = INT64_MAX, .min_level = -1 };
	const char *format = NULL;
	bool ckpts = false;
	int c;

	optind = 1;
	while ((c = cli_getopt("audit export", argc, argv, "+", opts)) != -1) {
		if (c == 'F')
			format = optarg;
		else if (c == 'C')
			ckpts = true;
		else if (c == '?' || filter_opt(&f, c, optarg) != 0)
			return EXIT_USAGE;
	}
	if (optind != argc) {
		cli_err(CMD, "export: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (ckpts) {
		if (format != NULL || f.agent != NULL || f.decision != NULL || f.by != NULL || f.since > INT64_MIN ||
		    f.until < INT64_MAX || f.min_level >= 0) {
			cli_err(CMD, "export --checkpoint takes only --after N (checkpoints after #N)");
			return EXIT_USAGE;
		}
		return export_checkpoints(f.after);
	}
	if (format == NULL || (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0)) {
		cli_err(CMD, "export needs --format jsonl or --format csv");
		return EXIT_USAGE;
	}
	return run_select(&f, "ASC", 0, true, strcmp(format, "csv") == 0);
}

/* ---- verify and checkpoint ---- */

/* Most --against sources. */
#define MAX_AGAINST 8

/* Trusted keys: --key FILE, else the config dir's audit.pub. */
static int
load_trust(const char *keyfile, struct ckpt_keyring *ring)
{
	char err[512], *dir;
	int rc;

	if (keyfile != NULL) {
		rc = ckpt_keyring_load_file(keyfile, ring, err, sizeof err);
		if (rc == 1)
			snprintf(err, sizeof err, "%s does not exist", keyfile);
		if (rc != 0 || ring->n == 0) {
			cli_err(CMD, "--key: %s", rc != 0 ? err : "no keys in the file");
			return -1;
		}
		return 0;
	}
	if ((dir = paths_config_dir()) == NULL)
		return -1;
	rc = ckpt_keyring_load(dir, ring, err, sizeof err);
	free(dir);
	if (rc < 0)
		cli_err(CMD, "%s", err);
	return rc;
}

/* The broker's config, for the audit settings (defaults if it is absent). */
static int
load_config(struct config *cfg)
{
	char *dir = paths_config_dir(), *path = dir != NULL ? paths_join(dir, "config") : NULL, err[512];
	int rc;

	config_defaults(cfg);
	rc = path != NULL ? config_load(cfg, path, err, sizeof err) : -1;
	if (rc < 0)
		cli_err(CMD, "%s", path != NULL ? err : "out of memory");
	free(dir);
	free(path);
	return rc;
}

/* The checkpoint file the broker appends to (NULL: none configured). */
static char *
copy_path(const struct config *cfg, const char *db_path)
{
	bool none;

	return auditcopy_path(cfg->audit_checkpoint_file, db_path, &none);
}

struct sources {
	struct copy_src v[MAX_AGAINST + 2];
	size_t n;
};

static void
sources_free(struct sources *s)
{
	for (size_t i = 0; i < s->n; i++)
		copy_src_free(&s->v[i]);
	s->n = 0;
}

/* Read an outside copy; missing_ok: a file that does not exist is skipped. */
static int
sources_add(struct sources *s, const char *path, const uint8_t log_id[CKPT_LOG_ID_LEN], bool missing_ok)
{
	char err[512];
	int rc;

	if (s->n == sizeof s->v / sizeof s->v[0]) {
		cli_err(CMD, "at most %d --against files", MAX_AGAINST);
		return -1;
	}
	rc = copy_src_read(path, log_id, &s->v[s->n], err, sizeof err);
	if (rc == 1 && missing_ok) {
		copy_src_free(&s->v[s->n]);
		return 0;
	}
	if (rc != 0) {
		if (rc == 1)
			cli_err(CMD, "%s does not exist", path);
		else
			cli_err(CMD, "%s", err);
		copy_src_free(&s->v[s->n]);
		return -1;
	}
	s->n++;
	return 0;
}

static int
read_log_id(sqlite3 *db, uint8_t log_id[CKPT_LOG_ID_LEN])
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT log_id FROM audit_meta WHERE id = 1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == CKPT_LOG_ID_LEN) {
		memcpy(log_id, sqlite3_column_blob(st, 0), CKPT_LOG_ID_LEN);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

static json_t *
lines_json(const char *text)
{
	json_t *a = json_array();

	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);

		json_array_append_new(a, json_stringn(p, n));
		p = nl != NULL ? nl + 1 : NULL;
	}
	return a;
}

static void
verify_json(const struct audit_verify_report *r, const struct sources *src)
{
	char head[65], log[33];
	json_t *o, *srcs = json_array();

	ckpt_hex(r->head, sizeof r->head, head);
	ckpt_hex(r->log_id, sizeof r->log_id, log);
	o = json_pack("{s:b,s:s,s:I,s:I,s:I,s:I,s:I,s:s}", "ok", r->ok, "log_id", log,
	    "rows", (json_int_t)r->rows, "first_seq", (json_int_t)r->first_seq,
	    "last_seq", (json_int_t)r->last_seq, "checkpoints", (json_int_t)r->checkpoints,
	    "pruned_upto", (json_int_t)r->pruned_upto, "head_hash", head);
	json_object_set_new(o, "chain", json_boolean(r->chain));
	json_object_set_new(o, "epochs", json_integer(r->epochs));
	if (r->have_last) {
		char line[CKPT_LINE_MAX + 1];

		if (ckpt_format_line(&r->last, line, sizeof line) > 0)
			json_object_set_new(o, "newest_checkpoint", json_string(line));
	}
	for (size_t i = 0; i < src->n; i++)
		json_array_append_new(srcs, json_pack("{s:s,s:I}", "name", src->v[i].name,
		    "checkpoints", (json_int_t)src->v[i].n));
	json_object_set_new(o, "copies", srcs);
	json_object_set_new(o, "copy_checkpoints_matched", json_integer(r->copy_checked));
	json_object_set_new(o, "keys", lines_json(r->keys));
	json_object_set_new(o, "notes", lines_json(r->notes));
	if (!r->ok) {
		json_object_set_new(o, "bad_seq", r->bad_seq > 0 ? json_integer(r->bad_seq) : json_null());
		json_object_set_new(o, "error", json_string(r->what));
		json_object_set_new(o, "errors", lines_json(r->failures != NULL ? r->failures : r->what));
	}
	if (r->note[0] != '\0')
		json_object_set_new(o, "note", json_string(r->note));
	print_json_line(o);
	json_decref(o);
}

/* Print each line of text, escaped for a terminal, with a prefix. */
static void
print_lines(FILE *f, const char *prefix, const char *text)
{
	for (const char *p = text; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
		char *esc = text_escape(p, n, 4000, NULL);

		fprintf(f, "%s%s\n", strncmp(p, "warning: ", 9) == 0 ? "" : prefix, esc != NULL ? esc : "?");
		free(esc);
		p = nl != NULL ? nl + 1 : NULL;
	}
}

/* Verify the log; prints nothing.  EXIT_OK with r filled, or an error
 * already printed. */
static int
verify_log(sqlite3 *db, const char *keyfile, const struct ckpt *extra, const struct sources *src,
    struct audit_verify_report *r, struct ckpt_keyring *ring)
{
	struct audit_verify_opts o = { .trusted = ring, .extra = extra, .copies = src->v, .ncopies = src->n };

	if (load_trust(keyfile, ring) < 0)
		return EXIT_USAGE;
	if (audit_verify(db, &o, r) < 0) {
		cli_err(CMD, "%s", r->what);
		audit_verify_free(r);
		return EXIT_UNREACHABLE;
	}
	return EXIT_OK;
}

/* The sources verify reads: the broker's checkpoint file when it exists
 * (unless --no-copy), then each --against, then a one-line --checkpoint. */
static int
gather_sources(sqlite3 *db, const char *db_path, bool own_copy, const char **against, size_t nagainst,
    const struct ckpt *line_ck, struct sources *src)
{
	uint8_t log_id[CKPT_LOG_ID_LEN];
	struct config cfg;
	char *own = NULL;

	memset(src, 0, sizeof *src);
	if (read_log_id(db, log_id) < 0) {
		cli_err(CMD, "the audit log has no valid log id (audit_meta)");
		return EXIT_DENIED;
	}
	if (own_copy) {
		if (load_config(&cfg) < 0)
			return EXIT_USAGE;
		own = copy_path(&cfg, db_path);
		if (own != NULL && sources_add(src, own, log_id, true) < 0) {
			free(own);
			return EXIT_USAGE;
		}
		free(own);
	}
	for (size_t i = 0; i < nagainst; i++)
		if (sources_add(src, against[i], log_id, false) < 0) {
			sources_free(src);
			return EXIT_USAGE;
		}
	if (line_ck != NULL) {
		struct copy_src *s = &src->v[src->n];

		memset(s, 0, sizeof *s);
		snprintf(s->name, sizeof s->name, "the checkpoint file");
		if ((s->v = malloc(sizeof *s->v)) == NULL) {
			sources_free(src);
			return EXIT_UNREACHABLE;
		}
		s->v[0] = (struct copy_line){ .c = *line_ck, .lineno = 1 };
		s->n = 1;
		if (memcmp(line_ck->log_id, log_id, CKPT_LOG_ID_LEN) != 0) {
			cli_err(CMD, "verify FAILED: the checkpoint file belongs to another audit log (log id differs)");
			free(s->v);
			sources_free(src);
			return EXIT_DENIED;
		}
		src->n++;
	}
	return EXIT_OK;
}

static int
run_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "against", required_argument, NULL, 'a' },
		{ "no-copy", no_argument, NULL, 'n' },
		{ "key", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ckfile = NULL, *keyfile = NULL, *against[MAX_AGAINST];
	size_t nagainst = 0;
	struct ckpt extra;
	struct ckpt_keyring ring;
	struct audit_verify_report r;
	struct sources src;
	bool json = false, own_copy = true;
	sqlite3 *db;
	char err[512], *path;
	int c, rc;

	optind = 1;
	while ((c = cli_getopt("audit verify", argc, argv, "+", opts)) != -1) {
		if (c == 'c') {
			ckfile = optarg;
		} else if (c == 'a') {
			if (nagainst == MAX_AGAINST) {
				cli_err(CMD, "at most %d --against files", MAX_AGAINST);
				return EXIT_USAGE;
			}
			against[nagainst++] = optarg;
		} else if (c == 'n') {
			own_copy = false;
		} else if (c == 'k') {
			keyfile = optarg;
		} else if (c == 'j') {
			json = true;
		} else {
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_err(CMD, "verify: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (ckfile != NULL && ckpt_read_file(ckfile, &extra, err, sizeof err) < 0) {
		cli_err(CMD, "%s", err);
		return EXIT_USAGE;
	}
	if ((db = open_log(&path)) == NULL)
		return EXIT_UNREACHABLE;
	if ((rc = gather_sources(db, path, own_copy, against, nagainst,
	        ckfile != NULL && extra.version == 2 ? &extra : NULL, &src)) != EXIT_OK) {
		sqlite3_close(db);
		free(path);
		return rc;
	}
	rc = verify_log(db, keyfile, ckfile != NULL && extra.version == 1 ? &extra : NULL, &src, &r, &ring);
	sqlite3_close(db);
	if (rc != EXIT_OK) {
		sources_free(&src);
		free(path);
		return rc;
	}
	if (json) {
		verify_json(&r, &src);
	} else {
		if (r.ok) {
			printf("%s: %lld rows (%lld..%lld), %lld checkpoints%s: chain and signatures verify%s\n", path,
			    (long long)r.rows, (long long)r.first_seq, (long long)r.last_seq, (long long)r.checkpoints,
			    r.epochs > 1 ? " in several epochs (see the warnings)" : "",
			    ckfile != NULL ? ", and so does the checkpoint file" : "");
			if (r.pruned_upto > 0) {
				char iso[40];

				iso_utc(r.pruned_ms, iso, sizeof iso);
				printf("rows up to %lld were pruned by retention (last at %s)\n", (long long)r.pruned_upto, iso);
			}
		} else {
			print_lines(stderr, "sandgate audit: verify FAILED: ", r.failures != NULL ? r.failures : r.what);
		}
		for (size_t i = 0; i < src.n; i++)
			printf("outside copy %s: %lld checkpoint%s of this log%s\n", src.v[i].name, (long long)src.v[i].n,
			    src.v[i].n == 1 ? "" : "s", src.v[i].n == 0 ? " (it vouches for nothing)" : "");
		if (src.n > 0)
			printf("%lld checkpoints of the outside copies match the database's\n", (long long)r.copy_checked);
		print_lines(stdout, "", r.keys);
		print_lines(stdout, "note: ", r.notes);
		if (r.ok && ring.n == 0)
			printf("note: no trusted public key (audit.pub); signatures were only checked against "
			    "the keys stored with them\n");
		if (r.note[0] != '\0')
			printf("note: %s\n", r.note);
	}
	rc = r.ok ? EXIT_OK : EXIT_DENIED;
	audit_verify_free(&r);
	sources_free(&src);
	free(path);
	return rc;
}

/* The newest checkpoint the broker stored: the chain's (as a line), else a
 * version 1 one. */
static int
stored_checkpoint(sqlite3 *db, const struct audit_verify_report *r, struct ckpt *c)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (r->have_last) {
		*c = r->last;
		return 0;
	}
	if (sqlite3_prepare_v2(db, "SELECT seq, hash, made_ms, public_key, signature FROM audit_checkpoints"
	        " ORDER BY seq DESC, id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == CKPT_HASH_LEN &&
	    sqlite3_column_bytes(st, 3) == CKPT_PK_LEN && sqlite3_column_bytes(st, 4) == CKPT_SIG_LEN) {
		memset(c, 0, sizeof *c);
		memcpy(c->log_id, r->log_id, CKPT_LOG_ID_LEN);
		c->version = 1;
		c->seq = sqlite3_column_int64(st, 0);
		memcpy(c->hash, sqlite3_column_blob(st, 1), CKPT_HASH_LEN);
		c->time_ms = sqlite3_column_int64(st, 2);
		memcpy(c->pk, sqlite3_column_blob(st, 3), CKPT_PK_LEN);
		memcpy(c->sig, sqlite3_column_blob(st, 4), CKPT_SIG_LEN);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Write text to path atomically (or to stdout for "-"). */
static int
write_file(const char *path, const char *text, size_t n)
{
	char *tmp;
	int fd;

	if (strcmp(path, "-") == 0)
		return fwrite(text, 1, n, stdout) == n && fflush(stdout) == 0 ? 0 : -1;
	if (asprintf(&tmp, "%s.tmp.%ld", path, (long)getpid()) < 0)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n || fsync(fd) < 0 || close(fd) < 0 ||
	    rename(tmp, path) < 0) {
		int e = errno;

		if (fd >= 0)
			unlink(tmp);
		free(tmp);
		errno = e;
		return -1;
	}
	free(tmp);
	return 0;
}

static int
run_checkpoint(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "export", required_argument, NULL, 'e' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out = NULL, *keyfile = NULL;
	struct audit_verify_report r;
	struct ckpt_keyring ring;
	struct sources src;
	struct ckpt ck = { 0 };
	uint8_t sk[CKPT_SK_LEN];
	char err[512], text[CKPT_FILE_MAX + 2], hex[65], *dir, *path;
	sqlite3 *db;
	size_t n;
	int c, rc;

	optind = 1;
	while ((c = cli_getopt("audit checkpoint", argc, argv, "+", opts)) != -1) {
		if (c == 'e')
			out = optarg;
		else if (c == 'k')
			keyfile = optarg;
		else
			return EXIT_USAGE;
	}
	if (out == NULL || optind != argc) {
		cli_err(CMD, "usage: sandgate audit checkpoint --export FILE");
		return EXIT_USAGE;
	}
	if ((db = open_log(&path)) == NULL)
		return EXIT_UNREACHABLE;
	if ((rc = gather_sources(db, path, true, NULL, 0, NULL, &src)) != EXIT_OK ||
	    (rc = verify_log(db, keyfile, NULL, &src, &r, &ring)) != EXIT_OK) {
		sources_free(&src);
		sqlite3_close(db);
		free(path);
		return rc;
	}
	sources_free(&src);
	free(path);
	if (!r.ok) {
		cli_err(CMD, "refusing to sign a log that does not verify: %s", r.what);
		audit_verify_free(&r);
		sqlite3_close(db);
		return EXIT_DENIED;
	}
	if ((dir = paths_config_dir()) == NULL) {
		audit_verify_free(&r);
		sqlite3_close(db);
		return EXIT_UNREACHABLE;
	}
	rc = ckpt_key_load(dir, false, sk, err, sizeof err);
	free(dir);
	if (rc == 0 && r.last_seq > 0) {
		memcpy(ck.log_id, r.log_id, sizeof ck.log_id);
		ck.seq = r.last_seq;
		memcpy(ck.hash, r.head, sizeof ck.hash);
		ck.time_ms = wall_clock_ms();
		ckpt_sign(&ck, sk);
		sodium_memzero(sk, sizeof sk);
	} else if (stored_checkpoint(db, &r, &ck) == 0) {
		fprintf(stderr, "sandgate audit: %s; exporting the newest checkpoint the broker signed "
		    "(row %lld of %lld)\n", rc < 0 ? err : "no signing key here", (long long)ck.seq,
		    (long long)r.last_seq);
	} else {
		cli_err(CMD, "%s", r.last_seq == 0 ? "the audit log is empty: nothing to checkpoint"
		    : rc < 0 ? err : "no signing key and no stored checkpoint");
		audit_verify_free(&r);
		sqlite3_close(db);
		return EXIT_DENIED;
	}
	audit_verify_free(&r);
	sqlite3_close(db);
	if (ck.version == 2) {
		n = ckpt_format_line(&ck, text, sizeof text - 1);
		if (n > 0)
			text[n++] = '\n';
	} else {
		n = ckpt_format(&ck, text, sizeof text);
	}
	if (n == 0 || write_file(out, text, n) < 0) {
		cli_err(CMD, "cannot write %s: %s", out, strerror(errno));
		return EXIT_UNREACHABLE;
	}
	ckpt_hex(ck.hash, sizeof ck.hash, hex);
	if (strcmp(out, "-") != 0)
		printf("checkpoint of row %lld (hash %.16s...) written to %s\n", (long long)ck.seq, hex, out);
	return EXIT_OK;
}

/* `audit export --checkpoint`: the chain's checkpoints, one line each,
 * oldest first (the form of the checkpoint file and syslog). */
static int
export_checkpoints(int64_t after)
{
	static const char sql[] = "SELECT id, seq, hash, made_ms, public_key, signature, idx, epoch, kind,"
	    " prev_seq, prev, every_rows, every_ms, next_key, note FROM audit_checkpoints"
	    " WHERE version = 2 AND idx > ? ORDER BY idx";
	uint8_t log_id[CKPT_LOG_ID_LEN];
	sqlite3 *db = open_log(NULL);
	sqlite3_stmt *st;
	int rc;

	if (db == NULL)
		return EXIT_UNREACHABLE;
	if (read_log_id(db, log_id) < 0 || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		cli_err(CMD, "this log has no checkpoint chain (start a broker of this version on it once)");
		sqlite3_close(db);
		return EXIT_DENIED;
	}
	sqlite3_bind_int64(st, 1, after);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct ckpt c = { .version = 2 };
		const char *kind = (const char *)sqlite3_column_text(st, 8);
		char line[CKPT_LINE_MAX + 1];

		memcpy(c.log_id, log_id, sizeof log_id);
		c.seq = sqlite3_column_int64(st, 1);
		c.time_ms = sqlite3_column_int64(st, 3);
		c.idx = sqlite3_column_int64(st, 6);
		c.epoch = sqlite3_column_int64(st, 7);
		c.kind = kind != NULL ? ckpt_kind_parse(kind, strlen(kind)) : 0;
		c.prev_seq = sqlite3_column_int64(st, 9);
		c.every_rows = sqlite3_column_int64(st, 11);
		c.every_ms = sqlite3_column_int64(st, 12);
		if (sqlite3_column_bytes(st, 2) != CKPT_HASH_LEN || sqlite3_column_bytes(st, 4) != CKPT_PK_LEN ||
		    sqlite3_column_bytes(st, 5) != CKPT_SIG_LEN || sqlite3_column_bytes(st, 10) != CKPT_HASH_LEN) {
			cli_err(CMD, "checkpoint #%lld is malformed (run `sandgate audit verify`)", (long long)c.idx);
			continue;
		}
		memcpy(c.hash, sqlite3_column_blob(st, 2), CKPT_HASH_LEN);
		memcpy(c.pk, sqlite3_column_blob(st, 4), CKPT_PK_LEN);
		memcpy(c.sig, sqlite3_column_blob(st, 5), CKPT_SIG_LEN);
		memcpy(c.prev, sqlite3_column_blob(st, 10), CKPT_HASH_LEN);
		if (sqlite3_column_bytes(st, 13) == CKPT_PK_LEN)
			memcpy(c.next_key, sqlite3_column_blob(st, 13), CKPT_PK_LEN);
		if (sqlite3_column_bytes(st, 14) == CKPT_HASH_LEN)
			memcpy(c.note, sqlite3_column_blob(st, 14), CKPT_HASH_LEN);
		if (ckpt_format_line(&c, line, sizeof line) == 0) {
			cli_err(CMD, "checkpoint #%lld is malformed (run `sandgate audit verify`)", (long long)c.idx);
			continue;
		}
		printf("%s\n", line);
	}
	return end_rows(db, st, rc);
}

/* ---- operator steps: reseal, rotate-key ---- */

/* Refuse while a broker holds this runtime dir: it keeps the chain's head
 * in memory, so a checkpoint written under it would fork the chain. */
static int
no_broker(void)
{
	char *dir = paths_runtime_dir(), *lock = dir != NULL ? paths_join(dir, "broker.lock") : NULL;
	char pid[32] = "";
	int fd, rc = 0;

	if (lock == NULL) {
		free(dir);
		cli_err(CMD, "out of memory");
		return -1;
	}
	fd = open(lock, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0) {
		ssize_t n = pread(fd, pid, sizeof pid - 1, 0);

		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		cli_err(CMD, "a broker is running (pid %s, %s): stop it first (kill -TERM %s), then start it again "
		    "afterwards", *pid ? pid : "?", dir, *pid ? pid : "PID");
		rc = -1;
	}
	if (fd >= 0)
		close(fd); /* releases our lock, if we took it */
	free(dir);
	free(lock);
	return rc;
}

static sqlite3 *
open_log_rw(char **path_out)
{
	char *path = paths_db();
	sqlite3 *db = NULL;
	bool left_behind;

	if (path == NULL) {
		cli_err(CMD, "out of memory");
		return NULL;
	}
	left_behind = wal_left_behind(path); /* before opening makes a -wal file */
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		cli_err(CMD, "cannot open %s for writing: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		free(path);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_exec(db, "SELECT 1 FROM audit_meta LIMIT 1", NULL, NULL, NULL) != SQLITE_OK ||
	    (left_behind && log_empty(db))) {
		if (left_behind)
			say_incomplete(path, log_empty(db) ? "holds no audit rows" : "has no audit log");
		else
			cli_err(CMD, "%s has no audit log", path);
		sqlite3_close(db);
		free(path);
		return NULL;
	}
	*path_out = path;
	return db;
}

static int
run_seal(int argc, char **argv, bool rotate)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "against", required_argument, NULL, 'a' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *reason = NULL, *keyfile = NULL, *against[MAX_AGAINST];
	size_t nagainst = 0;
	struct ckpt_keyring ring;
	struct sources src;
	struct config cfg;
	sqlite3 *db;
	char msg[4096], *path = NULL, *own;
	int c, rc;

	optind = 1;
	while ((c = cli_getopt((rotate ? "audit rotate-key" : "audit reseal"), argc, argv, "+", opts)) != -1) {
		if (c == 'r' && !rotate) {
			reason = optarg;
		} else if (c == 'a') {
			if (nagainst == MAX_AGAINST) {
				cli_err(CMD, "at most %d --against files", MAX_AGAINST);
				return EXIT_USAGE;
			}
			against[nagainst++] = optarg;
		} else if (c == 'k') {
			keyfile = optarg;
		} else {
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		cli_err(CMD, "%s: unexpected argument '%s'", rotate ? "rotate-key" : "reseal", argv[optind]);
		return EXIT_USAGE;
	}
	if (!rotate && reason == NULL) {
		cli_err(CMD, "reseal needs --reason TEXT: why this break is accepted (it is recorded)");
		return EXIT_USAGE;
	}
	if (load_config(&cfg) < 0 || load_trust(keyfile, &ring) < 0)
		return EXIT_USAGE;
	if (no_broker() < 0)
		return EXIT_DENIED;
	if ((db = open_log_rw(&path)) == NULL)
		return EXIT_UNREACHABLE;
	if ((rc = gather_sources(db, path, true, against, nagainst, NULL, &src)) != EXIT_OK) {
		sqlite3_close(db);
		free(path);
		return rc;
	}
	own = copy_path(&cfg, path);
	rc = (rotate ? audit_rotate_key : audit_reseal)(db, &(struct audit_seal_opts){
	    .reason = reason, .copies = src.v, .ncopies = src.n, .trusted = &ring, .copy_path = own,
	    .syslog = cfg.audit_syslog, .every_rows = cfg.audit_checkpoint_rows,
	    .every_ms = cfg.audit_checkpoint_ms }, msg, sizeof msg);
	free(own);
	sources_free(&src);
	sqlite3_close(db);
	free(path);
	if (rc < 0) {
		cli_err(CMD, "%s", msg);
		return EXIT_DENIED;
	}
	printf("%s\n", msg);
	return EXIT_OK;
}

static int
run_reseal(int argc, char **argv)
{
	return run_seal(argc, argv, false);
}

static int
run_rotate(int argc, char **argv)
{
	return run_seal(argc, argv, true);
}

/* ---- dispatch ---- */

static const struct audit_sub {
	const char *name;
	int (*run)(int, char **);
} subs[] = {
	{ "tail", run_tail },
	{ "query", run_query },
	{ "export", run_export },
	{ "verify", run_verify },
	{ "checkpoint", run_checkpoint },
	{ "reseal", run_reseal },
	{ "rotate-key", run_rotate },
};

static int
run(int argc, char **argv)
{
	if (argc < 2) {
		cli_help(&cmd_audit, stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(argv[1], subs[i].name) == 0) {
			return subs[i].run(argc - 1, argv + 1);
		}
	}
	cli_err(CMD, "unknown subcommand '%s' (tail, query, export, verify, checkpoint, reseal, rotate-key)", argv[1]);
	return EXIT_USAGE;
}

const struct cli_cmd cmd_audit = {
	.name = "audit",
	.args = "tail|query|export|verify|checkpoint|reseal|rotate-key [OPTIONS]",
	.summary = "read, export and verify the tamper-evident audit log",
	.help =
	    "  tail [-n N] [-f] [--json]        the last N decisions (default 10); -f follows.\n"
	    "                                   Lines read `seq 12 TIME request 9 allow rule 7 ...`:\n"
	    "                                   the audit sequence number is not the request id\n"
	    "  query [--agent A] [--since T] [--until T] [--decision allow|deny] [--by B]\n"
	    "        [--risk LEVEL] [--after SEQ] [--limit N] [--json]\n"
	    "                                   newest first, at most N (default 100, 0 = all);\n"
	    "                                   --risk L means L or higher\n"
	    "  export --format jsonl|csv [--since T] [filters as for query]\n"
	    "                                   every matching decision, oldest first, one line\n"
	    "                                   each, stable field names (docs/AUDIT.md)\n"
	    "  export --checkpoint [--after N]  the signed checkpoint chain, one line each (the\n"
	    "                                   form of the checkpoint file and of syslog)\n"
	    "  verify [--against FILE|-]... [--checkpoint FILE] [--no-copy] [--key FILE] [--json]\n"
	    "                                   check every row's hash and link, the checkpoint\n"
	    "                                   chain (signatures, cadence, keys, breaks), and the\n"
	    "                                   log against outside copies: the broker's checkpoint\n"
	    "                                   file (unless --no-copy), each --against FILE (\"-\":\n"
	    "                                   stdin, e.g. journalctl -t sandgate -o cat) and FILE\n"
	    "  checkpoint --export FILE         sign the current head (needs audit.key) and write\n"
	    "                                   it to FILE (\"-\" for stdout); keep it off this machine\n"
	    "  reseal --reason TEXT [--against FILE]...\n"
	    "                                   the log does not verify and you know why: record\n"
	    "                                   what verify finds and TEXT, and begin a new signed\n"
	    "                                   epoch (the broker must be stopped; verify keeps\n"
	    "                                   reporting the break)\n"
	    "  rotate-key                       hand the signing over to a new audit.key, signed\n"
	    "                                   by the old one (the broker must be stopped)\n"
	    "\n"
	    "T is 30m, 2h, 7d (ago), @EPOCH_SECONDS, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z].\n"
	    "The log is read directly from $SANDGATE_DB (else ~/.local/state/sandgate/sandgate.db),\n"
	    "read-only; a running broker is not needed.  Keys: audit.key and audit.pub in\n"
	    "$XDG_CONFIG_HOME/sandgate.  A copy of a running broker's database needs its -wal\n"
	    "file (or `sqlite3 DB \".backup COPY\"`): one without it that shows no rows is\n"
	    "reported as incomplete, not verified.\n"
	    "Exit status: 0 ok; 1 verify found tampering (or reseal/rotate-key refused); 2 usage;\n"
	    "3 the log cannot be read (or the copy looks incomplete).\n",
	.run = run,
};
