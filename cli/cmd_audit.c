/* cmd_audit.c -- `sandgate audit`: read, export and verify the audit log.
 *
 * Reads the DB directly, read-only ($SANDGATE_DB or the default path), so it
 * works with or without a running broker (WAL readers never block it).
 * Field names of --json, jsonl and csv output are stable (docs/AUDIT.md). */
#include "cli/cli.h"
#include "proto/wallclock.h"
#include "broker/audit.h"
#include "broker/checkpoint.h"
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CMD "audit"

static const char *const levels[] = { "low", "medium", "high", "critical" };

/* ---- opening ---- */

static sqlite3 *
open_log(char **path_out)
{
	char *path = paths_db();
	sqlite3 *db = NULL;
	struct stat st;

	if (path == NULL) {
		cli_err(CMD, "out of memory");
		return NULL;
	}
	if (stat(path, &st) < 0) {
		cli_err(CMD, "no audit log at %s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
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
		cli_err(CMD, "%s has no audit log yet (a broker of this version adds it when it starts)", path);
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

	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(by, sizeof by, "%s%s%s", sqlite3_column_text(st, AF_DECIDED_BY), name ? " " : "", name ? name : "");
	{
		char *esc_by = text_escape(by, strlen(by), 40, NULL);

		printf("#%-7lld %s  %-5s %-24s %-9s %-30s %s\n", (long long)sqlite3_column_int64(st, AF_SEQ),
		    when, sqlite3_column_text(st, AF_DECISION), esc_by ? esc_by : "?", lvl ? lvl : "-",
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
	while ((c = getopt_long(argc, argv, "+fjn:", opts, NULL)) != -1) {
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
	while ((c = getopt_long(argc, argv, "+jn:", opts, NULL)) != -1) {
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

static int
run_export(int argc, char **argv)
{
	static const struct option opts[] = {
		FILTER_OPTS,
		{ "format", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct filter f = { .since = INT64_MIN, .until = INT64_MAX, .min_level = -1 };
	const char *format = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'F')
			format = optarg;
		else if (c == '?' || filter_opt(&f, c, optarg) != 0)
			return EXIT_USAGE;
	}
	if (optind != argc) {
		cli_err(CMD, "export: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if (format == NULL || (strcmp(format, "jsonl") != 0 && strcmp(format, "csv") != 0)) {
		cli_err(CMD, "export needs --format jsonl or --format csv");
		return EXIT_USAGE;
	}
	return run_select(&f, "ASC", 0, true, strcmp(format, "csv") == 0);
}

/* ---- verify and checkpoint ---- */

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

static void
verify_json(const struct audit_verify_report *r)
{
	char head[65], log[33];
	json_t *o;

	ckpt_hex(r->head, sizeof r->head, head);
	ckpt_hex(r->log_id, sizeof r->log_id, log);
	o = json_pack("{s:b,s:s,s:I,s:I,s:I,s:I,s:I,s:s}", "ok", r->ok, "log_id", log,
	    "rows", (json_int_t)r->rows, "first_seq", (json_int_t)r->first_seq,
	    "last_seq", (json_int_t)r->last_seq, "checkpoints", (json_int_t)r->checkpoints,
	    "pruned_upto", (json_int_t)r->pruned_upto, "head_hash", head);
	if (!r->ok) {
		json_object_set_new(o, "bad_seq", r->bad_seq > 0 ? json_integer(r->bad_seq) : json_null());
		json_object_set_new(o, "error", json_string(r->what));
	}
	if (r->note[0] != '\0')
		json_object_set_new(o, "note", json_string(r->note));
	print_json_line(o);
	json_decref(o);
}

/* Verify the log; prints nothing.  EXIT_OK with r filled, or an error
 * already printed. */
static int
verify_log(sqlite3 *db, const char *keyfile, const struct ckpt *extra, struct audit_verify_report *r,
    struct ckpt_keyring *ring)
{
	struct audit_verify_opts o = { .trusted = ring, .extra = extra };

	if (load_trust(keyfile, ring) < 0)
		return EXIT_USAGE;
	if (audit_verify(db, &o, r) < 0) {
		cli_err(CMD, "%s", r->what);
		return EXIT_UNREACHABLE;
	}
	return EXIT_OK;
}

static int
run_verify(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *ckfile = NULL, *keyfile = NULL;
	struct ckpt extra;
	struct ckpt_keyring ring;
	struct audit_verify_report r;
	bool json = false;
	sqlite3 *db;
	char err[512], *path;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c == 'c')
			ckfile = optarg;
		else if (c == 'k')
			keyfile = optarg;
		else if (c == 'j')
			json = true;
		else
			return EXIT_USAGE;
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
	rc = verify_log(db, keyfile, ckfile != NULL ? &extra : NULL, &r, &ring);
	sqlite3_close(db);
	if (rc != EXIT_OK) {
		free(path);
		return rc;
	}
	if (json) {
		verify_json(&r);
	} else if (r.ok) {
		printf("%s: %lld rows (%lld..%lld), %lld checkpoints: chain and signatures verify%s\n", path,
		    (long long)r.rows, (long long)r.first_seq, (long long)r.last_seq, (long long)r.checkpoints,
		    ckfile != NULL ? ", and so does the checkpoint file" : "");
		if (r.pruned_upto > 0) {
			char iso[40];

			iso_utc(r.pruned_ms, iso, sizeof iso);
			printf("rows up to %lld were pruned by retention (last at %s)\n", (long long)r.pruned_upto, iso);
		}
		if (ring.n == 0)
			printf("note: no trusted public key (audit.pub); signatures were only checked against "
			    "the keys stored with them\n");
	} else {
		cli_err(CMD, "verify FAILED: %s", r.what);
	}
	if (r.note[0] != '\0' && !json)
		printf("note: %s\n", r.note);
	free(path);
	return r.ok ? EXIT_OK : EXIT_DENIED;
}

/* The newest checkpoint the broker stored. */
static int
stored_checkpoint(sqlite3 *db, const uint8_t log_id[CKPT_LOG_ID_LEN], struct ckpt *c)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT seq, hash, made_ms, public_key, signature FROM audit_checkpoints"
	        " ORDER BY seq DESC, id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 1) == CKPT_HASH_LEN &&
	    sqlite3_column_bytes(st, 3) == CKPT_PK_LEN && sqlite3_column_bytes(st, 4) == CKPT_SIG_LEN) {
		memcpy(c->log_id, log_id, CKPT_LOG_ID_LEN);
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
	struct ckpt ck = { 0 };
	uint8_t sk[CKPT_SK_LEN];
	char err[512], text[CKPT_FILE_MAX], hex[65], *dir;
	sqlite3 *db;
	size_t n;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
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
	if ((db = open_log(NULL)) == NULL)
		return EXIT_UNREACHABLE;
	if ((rc = verify_log(db, keyfile, NULL, &r, &ring)) != EXIT_OK) {
		sqlite3_close(db);
		return rc;
	}
	if (!r.ok) {
		cli_err(CMD, "refusing to sign a log that does not verify: %s", r.what);
		sqlite3_close(db);
		return EXIT_DENIED;
	}
	if ((dir = paths_config_dir()) == NULL) {
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
	} else if (stored_checkpoint(db, r.log_id, &ck) == 0) {
		fprintf(stderr, "sandgate audit: %s; exporting the newest checkpoint the broker signed "
		    "(row %lld of %lld)\n", rc < 0 ? err : "no signing key here", (long long)ck.seq,
		    (long long)r.last_seq);
	} else {
		cli_err(CMD, "%s", r.last_seq == 0 ? "the audit log is empty: nothing to checkpoint"
		    : rc < 0 ? err : "no signing key and no stored checkpoint");
		sqlite3_close(db);
		return EXIT_DENIED;
	}
	sqlite3_close(db);
	n = ckpt_format(&ck, text, sizeof text);
	if (n == 0 || write_file(out, text, n) < 0) {
		cli_err(CMD, "cannot write %s: %s", out, strerror(errno));
		return EXIT_UNREACHABLE;
	}
	ckpt_hex(ck.hash, sizeof ck.hash, hex);
	if (strcmp(out, "-") != 0)
		printf("checkpoint of row %lld (hash %.16s...) written to %s\n", (long long)ck.seq, hex, out);
	return EXIT_OK;
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
			int rc = subs[i].run(argc - 1, argv + 1);

			if (rc == EXIT_USAGE && argc >= 2)
				fprintf(stderr, "see `sandgate audit --help`\n");
			return rc;
		}
	}
	cli_err(CMD, "unknown subcommand '%s' (tail, query, export, verify, checkpoint)", argv[1]);
	return EXIT_USAGE;
}

const struct cli_cmd cmd_audit = {
	.name = "audit",
	.args = "tail|query|export|verify|checkpoint [OPTIONS]",
	.summary = "read, export and verify the tamper-evident audit log",
	.help =
	    "  tail [-n N] [-f] [--json]        the last N decisions (default 10); -f follows\n"
	    "  query [--agent A] [--since T] [--until T] [--decision allow|deny] [--by B]\n"
	    "        [--risk LEVEL] [--after SEQ] [--limit N] [--json]\n"
	    "                                   newest first, at most N (default 100, 0 = all);\n"
	    "                                   --risk L means L or higher\n"
	    "  export --format jsonl|csv [--since T] [filters as for query]\n"
	    "                                   every matching decision, oldest first, one line\n"
	    "                                   each, stable field names (docs/AUDIT.md)\n"
	    "  verify [--checkpoint FILE] [--key FILE] [--json]\n"
	    "                                   check every row's hash and link, every signed\n"
	    "                                   checkpoint, and the tail against FILE\n"
	    "  checkpoint --export FILE         sign the current head (needs audit.key) and write\n"
	    "                                   it to FILE (\"-\" for stdout); keep it off this machine\n"
	    "\n"
	    "T is 30m, 2h, 7d (ago), @EPOCH_SECONDS, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z].\n"
	    "The log is read directly from $SANDGATE_DB (else ~/.local/state/sandgate/sandgate.db),\n"
	    "read-only; a running broker is not needed.  Keys: audit.key and audit.pub in\n"
	    "$XDG_CONFIG_HOME/sandgate.\n"
	    "Exit status: 0 ok; 1 verify found tampering; 2 usage; 3 the log cannot be read.\n",
	.run = run,
};
