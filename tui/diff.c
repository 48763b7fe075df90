/* diff.c -- Myers' O(ND) line diff after trimming the common ends. */
#include "tui/diff.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ln {
	const char *s;
	size_t n;
	uint64_t h;
};

static uint64_t
hash_line(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

/* Split text into lines (a last line without newline counts). */
static struct ln *
split(const char *t, size_t n, size_t *count)
{
	size_t cap = 16, k = 0, i = 0;
	struct ln *v = malloc(cap * sizeof *v);

	while (v != NULL && i < n) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t len = nl != NULL ? (size_t)(nl - (t + i)) : n - i;

		if (k == cap) {
			struct ln *w = realloc(v, (cap *= 2) * sizeof *v);

			if (w == NULL) {
				free(v);
				return NULL;
			}
			v = w;
		}
		v[k++] = (struct ln){ t + i, len, hash_line(t + i, len) };
		i += len + 1;
	}
	*count = k;
	return v;
}

static int
same(const struct ln *x, const struct ln *y)
{
	return x->h == y->h && x->n == y->n && memcmp(x->s, y->s, x->n) == 0;
}

struct out {
	struct diff_op *v;
	size_t n, cap;
	int oom;
};

static void
emit(struct out *o, char op, int a, int b, const struct ln *l)
{
	if (o->oom)
		return;
	if (o->n == o->cap) {
		size_t c = o->cap ? o->cap * 2 : 64;
		struct diff_op *w = realloc(o->v, c * sizeof *w);

		if (w == NULL) {
			o->oom = 1;
			return;
		}
		o->v = w;
		o->cap = c;
	}
	o->v[o->n++] = (struct diff_op){ op, a, b, l->s, l->n };
}

/* Myers forward search on A[0..N) x B[0..M) keeping each round's V for the
 * backtrack; returns D or -1 when it exceeds maxd. *trace gets the rounds. */
static int
myers(const struct ln *A, int N, const struct ln *B, int M, int maxd, int **trace)
{
	int off = maxd + 1, width = 2 * maxd + 3;
	int *V = calloc((size_t)width, sizeof *V), *T;
	size_t tcap = 0, tlen = 0;

	*trace = NULL;
	if (V == NULL)
		return -2;
	T = NULL;
	for (int d = 0; d <= maxd; d++) {
		/* save V[-d..d] before this round */
		size_t need = tlen + (size_t)(2 * d + 1);

		if (need > tcap) {
			size_t c = tcap ? tcap * 2 : 1024;
			int *w;

			while (c < need)
				c *= 2;
			if ((w = realloc(T, c * sizeof *T)) == NULL) {
				free(T);
				free(V);
				return -2;
			}
			T = w;
			tcap = c;
		}
		memcpy(T + tlen, V + off - d, (size_t)(2 * d + 1) * sizeof *T);
		tlen = need;
		for (int k = -d; k <= d; k += 2) {
			int x = (k == -d || (k != d && V[off + k - 1] < V[off + k + 1])) ? V[off + k + 1]
			                                                                : V[off + k - 1] + 1;
			int y = x - k;

			while (x < N && y < M && same(&A[x], &B[y]))
				x++, y++;
			V[off + k] = x;
			if (x >= N && y >= M) {
				free(V);
				*trace = T;
				return d;
			}
		}
	}
	free(V);
	free(T);
	return -1;
}

/* Walk the saved rounds back from (N, M) and emit ops in order. */
static void
backtrack(const int *T, int D, const struct ln *A, int N, const struct ln *B, int M,
    int a0, int b0, struct out *o)
{
	struct step { char op; int x, y; } *steps = malloc(((size_t)N + (size_t)M + 1) * sizeof *steps);
	size_t ns = 0;
	int x = N, y = M;

	if (steps == NULL) {
		o->oom = 1;
		return;
	}
	for (int d = D; d > 0; d--) {
		const int *Vd = T + (size_t)d * (size_t)d + (size_t)d; /* round d's V[-d..d], k=0 here */
		int k = x - y;
		int pk = (k == -d || (k != d && Vd[k - 1] < Vd[k + 1])) ? k + 1 : k - 1;
		int px = Vd[pk], py = px - pk;

		while (x > px && y > py) {
			steps[ns++] = (struct step){ ' ', x - 1, y - 1 };
			x--, y--;
		}
		if (x == px)
			steps[ns++] = (struct step){ '+', px, py };
		else
			steps[ns++] = (struct step){ '-', px, py };
		x = px, y = py;
	}
	while (x > 0 && y > 0)
		steps[ns++] = (struct step){ ' ', x - 1, y - 1 }, x--, y--;
	while (ns-- > 0) {
		struct step *s = &steps[ns];

		if (s->op == ' ')
			emit(o, ' ', a0 + s->x + 1, b0 + s->y + 1, &A[s->x]);
		else if (s->op == '-')
			emit(o, '-', a0 + s->x + 1, 0, &A[s->x]);
		else
			emit(o, '+', 0, b0 + s->y + 1, &B[s->y]);
	}
	free(steps);
}

long
diff_lines(const char *a, size_t an, const char *b, size_t bn, int max_edits,
    struct diff_op **out, int *approx)
{
	size_t na = 0, nb = 0, pre = 0, suf = 0;
	struct ln *A = split(a, an, &na), *B = split(b, bn, &nb);
	struct out o = { 0 };
	int *trace = NULL, D;

	*approx = 0;
	*out = NULL;
	if ((an > 0 && A == NULL) || (bn > 0 && B == NULL) || na > INT32_MAX / 4 || nb > INT32_MAX / 4) {
		free(A);
		free(B);
		return -1;
	}
	while (pre < na && pre < nb && same(&A[pre], &B[pre]))
		pre++;
	while (suf < na - pre && suf < nb - pre && same(&A[na - 1 - suf], &B[nb - 1 - suf]))
		suf++;
	for (size_t i = 0; i < pre; i++)
		emit(&o, ' ', (int)i + 1, (int)i + 1, &A[i]);
	{
		int N = (int)(na - pre - suf), M = (int)(nb - pre - suf);

		D = (N == 0 || M == 0) ? -1 : myers(A + pre, N, B + pre, M, max_edits, &trace);
		if (D >= 0) {
			backtrack(trace, D, A + pre, N, B + pre, M, (int)pre, (int)pre, &o);
		} else {
			if (D == -1 && N > 0 && M > 0)
				*approx = 1;
			for (int i = 0; i < N; i++)
				emit(&o, '-', (int)pre + i + 1, 0, &A[pre + (size_t)i]);
			for (int i = 0; i < M; i++)
				emit(&o, '+', 0, (int)pre + i + 1, &B[pre + (size_t)i]);
		}
	}
	for (size_t i = 0; i < suf; i++)
		emit(&o, ' ', (int)(na - suf + i) + 1, (int)(nb - suf + i) + 1, &A[na - suf + i]);
	free(trace);
	free(A);
	free(B);
	if (o.oom) {
		free(o.v);
		return -1;
	}
	*out = o.v;
	return (long)o.n;
}
