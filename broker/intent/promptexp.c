/* promptexp.c -- bash prompt expansion ${x@P} (see promptexp.h). */
#include "broker/intent/promptexp.h"

#include <string.h>

#define PROMPT_MAX 4096 /* longer values are not decoded (obf-param still holds) */

bool
wk_prompt_op(const struct sh_seg *sg)
{
	const struct sh_word *in = sg->inner;

	return sg->complex && in != NULL && in->rawlen == 2 && in->raw[0] == '@' && in->raw[1] == 'P';
}

bool
wk_prompt_default(const struct sh_seg *sg, const char **val, size_t *n)
{
	const struct sh_word *in = sg->inner;
	size_t skip;

	if (!sg->complex || in == NULL || in->rawlen == 0 || sg->n == 0)
		return false;
	skip = in->raw[0] == '=' ? 1 : in->rawlen >= 2 && in->raw[0] == ':' && in->raw[1] == '=' ? 2 : 0;
	if (skip == 0)
		return false;
	*val = in->raw + skip;
	*n = in->rawlen - skip;
	return true;
}

void
wk_prompt_expand(struct walk *w, const char *val, size_t n)
{
	struct intent_ctx *x = w->x;
	char *out;
	size_t o = 0;
	bool subst = false;

	if (val == NULL || n == 0 || n > PROMPT_MAX || (out = arena_alloc(x->tmp, n + 6)) == NULL)
		return;
	memcpy(out, "echo ", 5);
	o = 5;
	for (size_t k = 0; k < n; k++) {
		if (val[k] != '\\' || k + 1 >= n) {
			out[o++] = val[k];
			continue;
		}
		k++;
		if (val[k] >= '0' && val[k] <= '7') {
			unsigned v = 0;
			size_t d = 0;

			while (d < 3 && k < n && val[k] >= '0' && val[k] <= '7') {
				v = v * 8 + (unsigned)(val[k] - '0');
				k++;
				d++;
			}
			k--;
			out[o++] = (char)(v & 0xFF);
		} else if (val[k] == '\\') {
			out[o++] = '\\';
		} else if (val[k] == '[' || val[k] == ']') {
			/* non-printing markers: nothing */
		} else {
			out[o++] = 'x'; /* \u \h \w \$ ...: a word of the prompt */
		}
	}
	out[o] = '\0';
	for (size_t k = 5; k < o && !subst; k++)
		subst = out[k] == '`' || (out[k] == '$' && k + 1 < o && out[k + 1] == '(');
	if (!subst)
		return;
	intent_signal(x, -1, "prompt-subst", val, n > 200 ? 200 : n);
	wk_nested_script(w, -1, out, o, "${@P}", NULL);
}
