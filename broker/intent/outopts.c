/* outopts.c -- the spellings of an output option (outopts.h). */
#include "broker/intent/outopts.h"

#include <string.h>
#include <sys/stat.h>

#define ABBREV_MIN 4 /* "--ou": shorter prefixes are ambiguous for every program we know */

bool
outopt_long_is(const char *name, size_t n, const char *opt, bool abbrev)
{
	size_t ol = strlen(opt);

	if (n == ol && memcmp(name, opt, n) == 0)
		return true;
	if (!abbrev || n < ABBREV_MIN || n >= ol || ol < 3 || opt[0] != '-' || opt[1] != '-')
		return false;
	return name[0] == '-' && name[1] == '-' && memcmp(name, opt, n) == 0;
}

bool
outopt_sub_ok(const struct strlist *subs, const char *sub)
{
	if (subs->n == 0)
		return true;
	if (sub == NULL)
		return false;
	for (size_t k = 0; k < subs->n; k++)
		if (strcmp(subs->v[k], sub) == 0)
			return true;
	return false;
}

bool
outopt_abbrev_in(const struct strlist *l, const char *name, size_t n)
{
	if (n < ABBREV_MIN || name[0] != '-' || name[1] != '-')
		return false;
	for (size_t k = 0; k < l->n; k++)
		if (outopt_long_is(name, n, l->v[k], true))
			return true;
	return false;
}

bool
outopt_is_dir(const char *path)
{
	struct stat st;

	return path != NULL && path[0] == '/' && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
