/* famtrig.h -- which family steps can apply to a program: computed once per
 * program when the tables load, so that a simple command only runs the family
 * steps whose tables name its program or whose trigger it can match.
 *
 * The mask is of families KNOWN NOT TO APPLY (struct prog.fam_off, struct
 * an.fam_off): zero, the value of anything nobody computed, runs every
 * family.  A family without a trigger (famtrig.c) is never skipped.  A
 * trigger must return true whenever the family's entry point could do
 * anything (a signal, an effect, a target, a nested command) for a command
 * of this program, whatever its arguments; when in doubt, return true.
 * How a family declares its trigger: docs/RISK.md, "Family triggers". */
#ifndef SANDGATE_INTENT_FAMTRIG_H
#define SANDGATE_INTENT_FAMTRIG_H

#include "broker/intent/tables.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Family steps that declare a trigger, by the entry point they gate. */
enum famtrig_bit {
	FT_SPEC,      /* fs.c wk_spec_targets: the program's t= spec */
	FT_ARCHIVE,   /* fs.c wk_archive_targets */
	FT_LINK,      /* fs.c wk_link_targets */
	FT_CHMOD,     /* fs.c wk_chmod_targets */
	FT_INLINE,    /* interp.c wk_inline_code */
	FT_RUNS,      /* runs.c wk_runs */
	FT_JAR,       /* jarcli.c wk_jar_cli */
	FT_DB,        /* db.c wk_db_command */
	FT_PACKAGES,  /* packages.c wk_package_command */
	FT_SECRETS,   /* secrets.c: secrets_prog_wanted */
	FT_SERVICES,  /* services.c wk_services (from the commands table step) */
	FT_WINDOWS,   /* windows.c wk_windows (a backslash in the program word runs it anyway) */
	FT_TRANSFER,  /* transfer.c wk_transfer */
	FT_COUNT
};

#define FT(b) ((uint64_t)1 << FT_##b)

/* At load (tables.c, once every index is built): the families known not to
 * apply to pg. */
uint64_t famtrig_prog_off(const struct tables *t, const struct prog *pg);

/* For a command: pg's mask when the command's program name is the one the
 * triggers were computed for (pg->name); 0 (run everything) for an unknown
 * program, a glob entry (python3.*), a name spelled differently. */
static inline uint64_t
famtrig_off(const struct prog *pg, const char *program)
{
	if (pg == NULL || program == NULL || pg->fam_off == 0 || strcmp(pg->name, program) != 0)
		return 0;
	return pg->fam_off;
}

/* Does family b run for a command with mask off? */
#define FT_RUN(off, b) (((off) & FT(b)) == 0)

/* False when SANDGATE_FAMTRIG=off: no program gets a mask, every family
 * step runs for every command (tests compare the two; a way to rule the
 * dispatcher out when a family seems not to run). */
bool famtrig_enabled(void);

/* The trigger's name, for tests and docs (NULL past FT_COUNT). */
const char *famtrig_name(enum famtrig_bit b);

#endif
