/* view_rules.c -- remembered decisions: effect, pattern, scope, hits, expiry. */
#include "tui/view.h"
#include "tui/theme.h"

#include <stdio.h>
#include <string.h>

static void
expiry(char *buf, size_t cap, const struct mrule *r, int64_t now_ms)
{
	char age[16];

	if (r->revoked)
		snprintf(buf, cap, "revoked");
	else if (r->expires_ms <= 0)
		snprintf(buf, cap, "never");
	else if (r->expires_ms <= now_ms)
		snprintf(buf, cap, "expired");
	else {
		view_age(age, sizeof age, r->expires_ms - now_ms);
		snprintf(buf, cap, "in %s", age);
	}
}

void
view_rule_effect(char *buf, size_t cap, const struct mrule *r)
{
	static const char *const short_level[] = { "?", "low", "med", "high", "crit" };
	bool deny = r->effect != NULL && strcmp(r->effect, "deny") == 0;

	if (deny || r->effect == NULL || r->max_level == RISK_UNKNOWN)
		snprintf(buf, cap, "%s", r->effect != NULL ? (deny ? "deny" : "allow") : "?");
	else
		snprintf(buf, cap, "allow \xe2\x89\xa4%s", short_level[r->max_level]); /* ≤ */
}

void
view_rules(lines *out, model *m, bool available, size_t top, size_t rows, size_t sel,
    bool focused, int width, int64_t now_ms)
{
	size_t n = model_rule_count(m);
	char buf[64], exp[32];

	lines_wrap(out, 0, 0);
	if (!available) {
		lines_newline(out);
		lines_put(out, TR_DIM, " rules not available from this broker");
		return;
	}
	if (n == 0) {
		lines_newline(out);
		lines_put(out, TR_DIM, " no rules yet: decide a group with s to remember it");
		return;
	}
	for (size_t i = top; i < n && i < top + rows; i++) {
		const struct mrule *r = model_rule_at(m, i);
		bool s = i == sel;
		int base = s ? TR_SELECTED : r->revoked ? TR_DIM : TR_NORMAL;
		bool deny = r->effect != NULL && strcmp(r->effect, "deny") == 0;
		int start;

		lines_newline(out);
		lines_tag(out, (long)i);
		if (s)
			lines_fill(out, TR_SELECTED);
		lines_put(out, base, s && focused ? ">" : " ");
		snprintf(buf, sizeof buf, "#%-4lld ", (long long)r->id);
		lines_put(out, base, buf);
		/* issue #16: the ceiling with the effect, "allow ≤low" */
		view_rule_effect(exp, sizeof exp, r);
		start = lines_col(out);
		lines_put(out, deny ? TR_DENY : TR_ALLOW, exp);
		lines_pad_to(out, base, start + 11);
		start = lines_col(out);
		lines_put_clip(out, base, r->scope ? r->scope : "?", r->scope ? strlen(r->scope) : 1, 9);
		lines_pad_to(out, base, start + 10);
		expiry(exp, sizeof exp, r, now_ms);
		snprintf(buf, sizeof buf, "%5lld %-8s", (long long)r->hits, exp);
		/* issue #17: marks for rules that may allow high requests, and pins */
		lines_put_clip(out, base, r->pattern ? r->pattern : "", r->pattern ? strlen(r->pattern) : 0,
		    width - lines_col(out) - 15 - (r->high ? 5 : 0) - (r->pin_path != NULL ? 4 : 0));
		if (r->high && !r->revoked)
			lines_put(out, r->critical_ok ? TR_RISK_CRITICAL : TR_RISK_HIGH, r->critical_ok ? " crit" : " high");
		if (r->pin_path != NULL)
			lines_put(out, TR_DIM, " pin");
		lines_pad_to(out, base, width - 15);
		lines_put(out, base, buf);
	}
}

void
view_sugg_terms(char *buf, size_t cap, const struct msugg *s)
{
	char ttl[24] = "";

	/* no TTL said: none (the usual case, left out to keep the line short) */
	if (s->ttl_s > 0 && s->ttl_s % 86400 == 0)
		snprintf(ttl, sizeof ttl, ", %lld d", (long long)(s->ttl_s / 86400));
	else if (s->ttl_s > 0 && s->ttl_s % 3600 == 0)
		snprintf(ttl, sizeof ttl, ", %lld h", (long long)(s->ttl_s / 3600));
	else if (s->ttl_s > 0)
		snprintf(ttl, sizeof ttl, ", %lld s", (long long)s->ttl_s);
	snprintf(buf, cap, "  %s%s%s%s%s", s->scope != NULL ? s->scope : "session", ttl, s->ceiling != NULL ? ", to " : "",
	    s->ceiling != NULL ? s->ceiling : "", s->pin ? ", pinned" : "");
}

void
view_rule_detail(lines *out, const struct mrule *r, int width, int64_t now_ms)
{
	char buf[160], exp[32], age[16];

	lines_wrap(out, 0, 0);
	if (r == NULL) {
		lines_newline(out);
		lines_put(out, TR_DIM, "no rule selected");
		return;
	}
	lines_newline(out);
	snprintf(buf, sizeof buf, "rule #%lld  ", (long long)r->id);
	lines_put(out, TR_TITLE, buf);
	view_rule_effect(exp, sizeof exp, r);
	lines_put(out, r->effect && strcmp(r->effect, "deny") == 0 ? TR_DENY : TR_ALLOW, exp);
	lines_put(out, TR_NORMAL, " ");
	lines_put_clip(out, TR_NORMAL, r->pattern ? r->pattern : "", r->pattern ? strlen(r->pattern) : 0,
	    width - lines_col(out));
	lines_newline(out);
	lines_wrap(out, width, 10);
	lines_put(out, TR_DIM, "pattern");
	lines_pad_to(out, TR_DIM, 10);
	lines_put_untrusted(out, TR_NORMAL, r->pattern ? r->pattern : "", r->pattern ? strlen(r->pattern) : 0);
	lines_newline(out);
	lines_put(out, TR_DIM, "scope");
	lines_pad_to(out, TR_DIM, 10);
	lines_put_untrusted(out, TR_NORMAL, r->scope ? r->scope : "?", r->scope ? strlen(r->scope) : 1);
	if (r->scope_value != NULL) {
		lines_put(out, TR_NORMAL, " ");
		lines_put_untrusted(out, TR_NORMAL, r->scope_value, strlen(r->scope_value));
	}
	expiry(exp, sizeof exp, r, now_ms);
	lines_newline(out);
	lines_put(out, TR_DIM, "expires");
	lines_pad_to(out, TR_DIM, 10);
	lines_put(out, TR_NORMAL, exp);
	lines_newline(out);
	lines_put(out, TR_DIM, "hits");
	lines_pad_to(out, TR_DIM, 10);
	if (r->last_hit_ms > 0) {
		view_age(age, sizeof age, now_ms - r->last_hit_ms);
		snprintf(buf, sizeof buf, "%lld, last %s ago", (long long)r->hits, age);
	} else {
		snprintf(buf, sizeof buf, "%lld", (long long)r->hits);
	}
	lines_put(out, TR_NORMAL, buf);
	lines_newline(out);
	lines_put(out, TR_DIM, "author");
	lines_pad_to(out, TR_DIM, 10);
	if (r->author_name != NULL)
		lines_put_untrusted(out, TR_NORMAL, r->author_name, strlen(r->author_name));
	snprintf(buf, sizeof buf, " (uid %lld)", (long long)r->author_uid);
	lines_put(out, TR_DIM, buf);
	if (r->origin != NULL) {
		lines_newline(out);
		lines_put(out, TR_DIM, "origin");
		lines_pad_to(out, TR_DIM, 10);
		lines_put_untrusted(out, TR_NORMAL, r->origin, strlen(r->origin));
	}
	if (r->note != NULL) {
		lines_newline(out);
		lines_put(out, TR_DIM, "note");
		lines_pad_to(out, TR_DIM, 10);
		lines_put_untrusted(out, TR_NORMAL, r->note, strlen(r->note));
	}
	if (r->critical_ok) {
		lines_newline(out);
		lines_put(out, TR_RISK_CRITICAL, "may allow critical requests");
	} else if (r->high) {
		lines_newline(out);
		lines_put(out, TR_RISK_HIGH, "may allow high requests");
	}
	if (r->pin_path != NULL) {
		lines_newline(out);
		lines_put(out, TR_DIM, "pinned");
		lines_pad_to(out, TR_DIM, 10);
		lines_put_untrusted(out, TR_NORMAL, r->pin_path, strlen(r->pin_path));
		lines_put(out, TR_DIM, " (while its content is unchanged)");
	}
	lines_wrap(out, width, 0);
	lines_newline(out);
	lines_newline(out);
	lines_put(out, TR_DIM, r->revoked ? "revoked" : "x revokes this rule");
}
