/* bench_learn.c -- issue #17: what learned offers and pinned rules cost on
 * the broker's loop: a learn_lookup against a full record (64 sessions), a
 * pinned rule's check with the file cached (one lstat) and uncached (read
 * and hash), by file size.  Prints figures; not a test. */
#include "broker/rules/learn.h"
#include "broker/rules/pin.h"
#include "broker/rules/rule.h"
#include "tests/bench/benchlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N 20000

int
main(void)
{
	ruleset *rs = ruleset_new();
	learn *L = learn_new();
	struct learn_result lr;
	char err[256], path[64], hex[PIN_HEX_LEN + 1];
	const char *why;
	double t0, v[N];
	static const size_t sizes[] = { 1024, 64 * 1024, 1024 * 1024 };

	/* 1,000 patterns, each allowed in 64 sessions by 3 people */
	for (int p = 0; p < 1000; p++) {
		char pat[64];

		snprintf(pat, sizeof pat, "exec tool%d run *", p);
		for (int s = 0; s < 64; s++) {
			char sess[16], ws[32];
			struct rule_spec spec = {
				.effect = RULE_ALLOW, .pattern = pat, .scope = SCOPE_SESSION, .scope_value = sess,
				.max_level = RL_MEDIUM, .author_name = s % 3 == 0 ? "alice" : s % 3 == 1 ? "bob" : "carol",
				.origin = "group g1", .made_session = sess, .made_agent = "codex", .made_workspace = ws,
			};

			snprintf(sess, sizeof sess, "s%d", s);
			snprintf(ws, sizeof ws, "/w%d", s % 5);
			learn_add(L, ruleset_add(rs, &spec, err, sizeof err));
		}
	}
	for (int i = 0; i < N; i++) {
		char pat[64];

		snprintf(pat, sizeof pat, "exec tool%d run *", i % 1000);
		t0 = bench_now_us();
		if (!learn_lookup(L, pat, "s9", "codex", "/w1", 2, &lr))
			return 1;
		v[i] = bench_now_us() - t0;
	}
	bench_sort(v, N);
	printf("learn_lookup, 64 sessions, 64,000 rules: p50 %.2f us, p99 %.2f us\n", bench_pct(v, N, 50),
	    bench_pct(v, N, 99));
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		pincache *pc = pincache_new();
		char *buf = calloc(1, sizes[k]);
		FILE *f;
		int n = sizes[k] >= 1024 * 1024 ? 200 : 2000;

		snprintf(path, sizeof path, "/tmp/bench_learn.%d", (int)getpid());
		if (buf == NULL || (f = fopen(path, "w")) == NULL)
			return 1;
		fwrite(buf, 1, sizes[k], f);
		fclose(f);
		for (int i = 0; i < n; i++) {
			t0 = bench_now_us();
			if (pin_hash(NULL, path, hex, &why) < 0)
				return 1;
			v[i] = bench_now_us() - t0;
		}
		bench_sort(v, (size_t)n);
		printf("pin_hash %zu KiB, uncached: p50 %.1f us, p99 %.1f us\n", sizes[k] / 1024, bench_pct(v, (size_t)n, 50),
		    bench_pct(v, (size_t)n, 99));
		for (int i = 0; i < n; i++) {
			t0 = bench_now_us();
			if (pin_hash(pc, path, hex, &why) < 0)
				return 1;
			v[i] = bench_now_us() - t0;
		}
		bench_sort(v, (size_t)n);
		printf("pin_hash %zu KiB, cached (lstat): p50 %.1f us, p99 %.1f us\n", sizes[k] / 1024,
		    bench_pct(v, (size_t)n, 50), bench_pct(v, (size_t)n, 99));
		unlink(path);
		free(buf);
		pincache_free(pc);
	}
	learn_free(L);
	ruleset_free(rs);
	return 0;
}
