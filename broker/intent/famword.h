/* famword.h -- a command's words as the walker (intent.c) resolved them,
 * handed to the family handlers in their own files (db.c, packages.c). */
#ifndef SG_FAMWORD_H
#define SG_FAMWORD_H

#include <stdbool.h>
#include <stddef.h>

struct fam_word {
	const char *s;
	size_t n;
	bool unknown; /* has a part known only at run time ($VAR, $(...)) */
};

#endif
