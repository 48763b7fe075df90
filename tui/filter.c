/* filter.c -- match filter words against named fields. */
#include "tui/filter.h"

#include <ctype.h>
#include <string.h>

static bool
contains_ci(const char *hay, size_t hn, const char *needle, size_t nn)
{
	if (nn == 0)
		return true;
	for (size_t i = 0; i + nn <= hn; i++) {
		size_t j = 0;

		while (j < nn && tolower((unsigned char)hay[i + j]) == tolower((unsigned char)needle[j]))
			j++;
		if (j == nn)
			return true;
	}
	return false;
}

static int
risk_rank(const char *s, size_t n)
{
	static const char *const lv[] = { "low", "medium", "high", "critical" };

	for (int i = 0; i < 4; i++)
		if (n > 0 && n <= strlen(lv[i]) && strncasecmp(lv[i], s, n) == 0)
			return i;
	return -1;
}

static bool
word_matches(const char *w, size_t wn, const struct filter_field *f, size_t n)
{
	const char *colon = memchr(w, ':', wn);

	if (colon != NULL && colon > w) {
		size_t kn = (size_t)(colon - w);
		const char *v = colon + 1;
		size_t vn = wn - kn - 1;

		for (size_t i = 0; i < n; i++) {
			if (strlen(f[i].name) != kn || strncasecmp(f[i].name, w, kn) != 0)
				continue;
			if (f[i].value == NULL)
				return false;
			if (strcmp(f[i].name, "risk") == 0 && risk_rank(v, vn) >= 0)
				return risk_rank(f[i].value, f[i].len) >= risk_rank(v, vn);
			return contains_ci(f[i].value, f[i].len, v, vn);
		}
		/* not a field name: treat the whole word as text */
	}
	for (size_t i = 0; i < n; i++)
		if (f[i].value != NULL && contains_ci(f[i].value, f[i].len, w, wn))
			return true;
	return false;
}

struct filter_field
filter_field(const char *name, const char *value)
{
	return (struct filter_field){ name, value, value != NULL ? strlen(value) : 0 };
}

bool
filter_match(const char *filter, const struct filter_field *f, size_t n)
{
	const char *p = filter;

	if (p == NULL)
		return true;
	while (*p != '\0') {
		size_t wn;

		while (*p == ' ')
			p++;
		wn = strcspn(p, " ");
		if (wn > 0 && !word_matches(p, wn, f, n))
			return false;
		p += wn;
	}
	return true;
}
