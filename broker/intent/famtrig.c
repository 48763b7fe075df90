/* famtrig.c -- family triggers: for each program of the tables, which family
 * steps cannot apply to it (famtrig.h).  Computed once per program when the
 * tables load; analyze.c skips a family step whose bit is set.
 *
 * Each trigger below mirrors the first test of its family's entry point: the
 * program's name or classes, or a look-up in the family's own table keyed by
 * the program's name.  A family without a trigger here runs for every
 * command; a trigger that cannot decide returns true (the family runs). */
#include "broker/intent/famtrig.h"
#include "broker/intent/secrets.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>

typedef bool (*famtrig_fn)(const struct tables *t, const struct prog *pg);

static bool
named(const struct prog *pg, const char *const *names)
{
	for (; *names != NULL; names++)
		if (strcmp(pg->name, *names) == 0)
			return true;
	return false;
}

/* fs.c wk_spec_targets: returns at once without a t= spec */
static bool
t_spec(const struct tables *t, const struct prog *pg)
{
	(void)t;
	return pg->nt > 0;
}

/* fs.c wk_archive_targets: archivers with subcommands (7z x, ar rc) */
static bool
t_archive(const struct tables *t, const struct prog *pg)
{
	(void)t;
	return (pg->classes & PCL(ARCHIVE)) && pg->sub;
}

static bool
t_link(const struct tables *t, const struct prog *pg)
{
	static const char *const names[] = { "ln", "cp", "link", NULL };

	(void)t;
	return named(pg, names);
}

static bool
t_chmod(const struct tables *t, const struct prog *pg)
{
	static const char *const names[] = { "chmod", NULL };

	(void)t;
	return named(pg, names);
}

/* interp.c wk_inline_code: code= options or subcommands, code1 (the first
 * positional is code) */
static bool
t_inline(const struct tables *t, const struct prog *pg)
{
	(void)t;
	return pg->code.n > 0 || (pg->code1 && pg->handler != H_AWK);
}

/* runs.c wk_runs: rows of tables/runs for the program */
static bool
t_runs(const struct tables *t, const struct prog *pg)
{
	size_t n;

	return tables_runs(t, pg->name, &n) != NULL;
}

static bool
t_jar(const struct tables *t, const struct prog *pg)
{
	static const char *const names[] = { "java", "jrunscript", NULL };

	(void)t;
	return named(pg, names);
}

/* db.c wk_db_command: database clients by class or by tables/db client rows */
static bool
t_db(const struct tables *t, const struct prog *pg)
{
	return (pg->classes & PCL(DB)) || tables_db_client(t, pg->name) != NULL;
}

/* packages.c wk_package_command: curl and wget name their downloads; package
 * runners by tables/runners */
static bool
t_packages(const struct tables *t, const struct prog *pg)
{
	static const char *const names[] = { "curl", "wget", NULL };
	size_t n = 0;

	tables_runners(t, pg->name, &n);
	return named(pg, names) || n > 0;
}

/* secrets.c: environment dumps, searches, builtins that print variables (a
 * credential in the words runs the family whatever the program) */
static bool
t_secrets(const struct tables *t, const struct prog *pg)
{
	(void)t;
	return secrets_prog_wanted(pg->name, pg->classes);
}

/* services.c wk_services: http or cli rows of tables/services */
static bool
t_services(const struct tables *t, const struct prog *pg)
{
	size_t n = strlen(pg->name);

	return tables_svc(t, SVK_HTTP, pg->name, n) != NULL || tables_svc(t, SVK_CLI, pg->name, n) != NULL;
}

/* windows.c wk_windows: the lower-case name without .exe or .com in
 * tables/windows (a backslash in the program word is checked per command) */
static bool
t_windows(const struct tables *t, const struct prog *pg)
{
	char name[128];
	size_t pl = strlen(pg->name);

	if (pl >= sizeof name)
		return false; /* wk_windows returns false for such names too */
	for (size_t k = 0; k < pl; k++)
		name[k] = (char)tolower((unsigned char)pg->name[k]);
	name[pl] = '\0';
	if (pl > 4 && (strcmp(name + pl - 4, ".exe") == 0 || strcmp(name + pl - 4, ".com") == 0))
		name[pl - 4] = '\0';
	return tables_win(t, name) != NULL;
}

/* transfer.c wk_transfer: copy rows of tables/services for the program */
static bool
t_transfer(const struct tables *t, const struct prog *pg)
{
	return tables_svc_prog(t, SVK_COPY, pg->name);
}

static const struct {
	const char *name;
	famtrig_fn may_apply;
} trig[FT_COUNT] = {
	[FT_SPEC] = { "spec", t_spec },
	[FT_ARCHIVE] = { "archive", t_archive },
	[FT_LINK] = { "link", t_link },
	[FT_CHMOD] = { "chmod", t_chmod },
	[FT_INLINE] = { "inline", t_inline },
	[FT_RUNS] = { "runs", t_runs },
	[FT_JAR] = { "jar", t_jar },
	[FT_DB] = { "db", t_db },
	[FT_PACKAGES] = { "packages", t_packages },
	[FT_SECRETS] = { "secrets", t_secrets },
	[FT_SERVICES] = { "services", t_services },
	[FT_WINDOWS] = { "windows", t_windows },
	[FT_TRANSFER] = { "transfer", t_transfer },
};

uint64_t
famtrig_prog_off(const struct tables *t, const struct prog *pg)
{
	uint64_t off = 0;

	if (pg == NULL || pg->name == NULL)
		return 0;
	for (size_t b = 0; b < FT_COUNT; b++)
		if (trig[b].may_apply != NULL && !trig[b].may_apply(t, pg))
			off |= (uint64_t)1 << b;
	return off;
}

bool
famtrig_enabled(void)
{
	const char *e = getenv("SANDGATE_FAMTRIG");

	return e == NULL || strcmp(e, "off") != 0;
}

const char *
famtrig_name(enum famtrig_bit b)
{
	return (size_t)b < FT_COUNT ? trig[b].name : NULL;
}
