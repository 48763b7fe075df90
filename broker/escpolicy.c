/* escpolicy.c -- the escalation policy's keys, baselines and resolution
 * (escpolicy.h; docs/POLICY.md). */
#include "broker/escpolicy.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const level_names[ESC_LEVELS] = { "low", "medium", "high", "critical" };
static const char *const base_names[] = { "strict", "balanced", "permissive" };

#define S 1000LL
#define M (60 * S)
#define H (60 * M)

/* The three baselines, per level low, medium, high, critical. */
static const struct baseline {
	int64_t escalate[ESC_LEVELS], expire[ESC_LEVELS];
	int quorum[ESC_LEVELS];
} baselines[] = {
	[ESC_STRICT] = { { ESC_OFF, 2 * M, 30 * S, 0 }, { 30 * M, 10 * M, 5 * M, 5 * M }, { 1, 1, 1, 2 } },
	[ESC_BALANCED] = { { ESC_OFF, ESC_OFF, 2 * M, 60 * S }, { 1 * H, 30 * M, 15 * M, 10 * M }, { 1, 1, 1, 1 } },
	[ESC_PERMISSIVE] = { { ESC_OFF, ESC_OFF, 10 * M, 5 * M }, { 4 * H, 2 * H, 1 * H, 30 * M }, { 1, 1, 1, 1 } },
};

const char *
esc_base_name(enum esc_base b)
{
	return base_names[b];
}

const char *
esc_level_name(int level)
{
	return level >= 0 && level < ESC_LEVELS ? level_names[level] : "?";
}

void
esc_format_ms(int64_t ms, char *buf, size_t cap)
{
	if (ms < 0)
		snprintf(buf, cap, "off");
	else if (ms % (86400 * S) == 0 && ms > 0)
		snprintf(buf, cap, "%lldd", (long long)(ms / (86400 * S)));
	else if (ms % H == 0 && ms > 0)
		snprintf(buf, cap, "%lldh", (long long)(ms / H));
	else if (ms % M == 0 && ms > 0)
		snprintf(buf, cap, "%lldm", (long long)(ms / M));
	else
		snprintf(buf, cap, "%llds", (long long)(ms / S));
}

void
escpolicy_defaults(struct escpolicy *p)
{
	memset(p, 0, sizeof *p);
	p->base = ESC_BALANCED;
	p->quorum_deny_any = true;
	p->pager_timeout_ms = 10 * S;
	p->notify_bell = true;
	p->notify_tmux = true;
}

static int
parse_base(const char *v, enum esc_base *out)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(v, base_names[i]) == 0) {
			*out = (enum esc_base)i;
			return 0;
		}
	return -1;
}

static int
parse_level(const char *v)
{
	for (int i = 0; i < ESC_LEVELS; i++)
		if (strcmp(v, level_names[i]) == 0)
			return i;
	return -1;
}

/* off | never | N with unit s, m, h or d (0s allowed); at most 7d. */
static int
parse_dur(const char *v, int64_t *out)
{
	char *end;
	long long n;
	int64_t unit;

	if (strcmp(v, "off") == 0 || strcmp(v, "never") == 0) {
		*out = ESC_OFF;
		return 0;
	}
	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end[0] == '\0' || end[1] != '\0')
		return -1;
	switch (*end) {
	case 's': unit = S; break;
	case 'm': unit = M; break;
	case 'h': unit = H; break;
	case 'd': unit = 86400 * S; break;
	default: return -1;
	}
	if (n > 7 * 86400 * S / unit)
		return -1;
	*out = n * unit;
	return 0;
}

bool
escpolicy_key(const char *key)
{
	return strncmp(key, "escalate.", 9) == 0 || strncmp(key, "expire.", 7) == 0 ||
	    strncmp(key, "quorum.", 7) == 0 || strcmp(key, "quorum_deny") == 0 ||
	    strcmp(key, "pager") == 0 || strcmp(key, "pager_timeout") == 0 ||
	    strcmp(key, "policy") == 0 || strncmp(key, "policy.", 7) == 0 || strcmp(key, "notify") == 0;
}

static int
set_scope(struct escpolicy *p, const char *rest, const char *v, int lineno, char *why, size_t whylen)
{
	struct esc_scope sc;
	const char *name;

	memset(&sc, 0, sizeof sc);
	if (strncmp(rest, "agent.", 6) == 0) {
		sc.kind = ESC_SCOPE_AGENT, name = rest + 6;
	} else if (strncmp(rest, "uid.", 4) == 0) {
		sc.kind = ESC_SCOPE_UID, name = rest + 4;
	} else if (strncmp(rest, "group.", 6) == 0) {
		sc.kind = ESC_SCOPE_GROUP, name = rest + 6;
	} else {
		snprintf(why, whylen, "a scoped baseline is policy.agent.NAME, policy.uid.UID or policy.group.GROUP");
		return -1;
	}
	if (*name == '\0' || strlen(name) >= sizeof sc.name) {
		snprintf(why, whylen, "the name after policy.%.*s is empty or longer than %zu bytes",
		    (int)(name - rest - 1), rest, sizeof sc.name - 1);
		return -1;
	}
	snprintf(sc.name, sizeof sc.name, "%s", name);
	if (parse_base(v, &sc.base) < 0) {
		snprintf(why, whylen, "must be strict, balanced or permissive");
		return -1;
	}
	if (sc.kind == ESC_SCOPE_UID) {
		char *end;
		unsigned long long n;

		if (strspn(name, "0123456789") == strlen(name)) {
			errno = 0;
			n = strtoull(name, &end, 10);
			if (errno != 0 || *end != '\0' || n > 4294967294ULL) {
				snprintf(why, whylen, "'%s' is not a uid", name);
				return -1;
			}
			sc.uid = (uid_t)n;
		} else {
			struct passwd *pw = getpwnam(name);

			if (pw == NULL) {
				snprintf(why, whylen, "no user named '%.64s'", name);
				return -1;
			}
			sc.uid = pw->pw_uid;
		}
	} else if (sc.kind == ESC_SCOPE_GROUP) {
		struct group *gr;

		if (strspn(name, "0123456789") == strlen(name))
			gr = getgrgid((gid_t)strtoul(name, NULL, 10));
		else
			gr = getgrnam(name);
		if (gr == NULL) {
			snprintf(why, whylen, "no group named '%.64s'", name);
			return -1;
		}
		sc.gid = gr->gr_gid;
		for (char **m = gr->gr_mem; m != NULL && *m != NULL && sc.nmembers < ESC_MAX_MEMBERS; m++) {
			struct passwd *pw = getpwnam(*m);

			if (pw != NULL)
				sc.members[sc.nmembers++] = pw->pw_uid;
		}
	}
	for (int i = 0; i < p->nscopes; i++)
		if (p->scopes[i].kind == sc.kind && strcmp(p->scopes[i].name, sc.name) == 0) {
			snprintf(why, whylen, "policy.%s was already set on line %d", rest, p->scopes[i].line);
			return -1;
		}
	if (p->nscopes >= ESC_MAX_SCOPES) {
		snprintf(why, whylen, "more than %d scoped baselines", ESC_MAX_SCOPES);
		return -1;
	}
	sc.line = lineno;
	p->scopes[p->nscopes++] = sc;
	return 0;
}

int
escpolicy_set(struct escpolicy *p, const char *key, const char *v, int lineno, char *why, size_t whylen)
{
	const char *dot = strchr(key, '.');
	int lv = -1;

	if (strcmp(key, "policy") == 0) {
		if (parse_base(v, &p->base) < 0) {
			snprintf(why, whylen, "must be strict, balanced or permissive");
			return -1;
		}
		p->base_line = lineno;
		return 0;
	}
	if (strncmp(key, "policy.", 7) == 0)
		return set_scope(p, key + 7, v, lineno, why, whylen);
	if (strcmp(key, "pager") == 0) {
		if (strlen(v) >= sizeof p->pager) {
			snprintf(why, whylen, "longer than %zu bytes", sizeof p->pager - 1);
			return -1;
		}
		for (const char *c = v; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f) {
				snprintf(why, whylen, "contains a control character");
				return -1;
			}
		if (strcmp(v, "none") == 0)
			v = "";
		snprintf(p->pager, sizeof p->pager, "%s", v);
		p->pager_line = lineno;
		return 0;
	}
	if (strcmp(key, "pager_timeout") == 0) {
		if (parse_dur(v, &p->pager_timeout_ms) < 0 || p->pager_timeout_ms < S ||
		    p->pager_timeout_ms > 10 * M) {
			snprintf(why, whylen, "must be a duration from 1s to 10m (e.g. 10s)");
			return -1;
		}
		p->pager_timeout_line = lineno;
		return 0;
	}
	if (strcmp(key, "quorum_deny") == 0) {
		if (strcmp(v, "any") == 0)
			p->quorum_deny_any = true;
		else if (strcmp(v, "all") == 0)
			p->quorum_deny_any = false;
		else {
			snprintf(why, whylen, "must be any (one approver's deny denies) or all");
			return -1;
		}
		p->quorum_deny_line = lineno;
		return 0;
	}
	if (strcmp(key, "notify") == 0) {
		char buf[64], *tok, *save;
		bool bell = false, tmux = false;

		if (strlen(v) >= sizeof buf) {
			snprintf(why, whylen, "must be none or a list of bell, tmux");
			return -1;
		}
		snprintf(buf, sizeof buf, "%s", v);
		if (strcmp(buf, "none") != 0)
			for (tok = strtok_r(buf, ", ", &save); tok != NULL; tok = strtok_r(NULL, ", ", &save)) {
				if (strcmp(tok, "bell") == 0)
					bell = true;
				else if (strcmp(tok, "tmux") == 0)
					tmux = true;
				else {
					snprintf(why, whylen, "must be none or a list of bell, tmux (not '%.32s')", tok);
					return -1;
				}
			}
		p->notify_bell = bell, p->notify_tmux = tmux, p->notify_line = lineno;
		return 0;
	}
	if (dot == NULL || (lv = parse_level(dot + 1)) < 0) {
		snprintf(why, whylen, "unknown risk level '%.32s' (low, medium, high, critical)",
		    dot != NULL ? dot + 1 : "");
		return -1;
	}
	if (strncmp(key, "escalate.", 9) == 0 || strncmp(key, "expire.", 7) == 0) {
		bool esc = key[1] == 's';
		int64_t ms;

		if (parse_dur(v, &ms) < 0) {
			snprintf(why, whylen, "must be off or a duration up to 7d (e.g. 0s, 60s, 10m, 1h)");
			return -1;
		}
		if (!esc && ms == 0) {
			snprintf(why, whylen, "must be at least 1s (or off)");
			return -1;
		}
		if (esc)
			p->escalate_ms[lv] = ms, p->escalate_line[lv] = lineno;
		else
			p->expire_ms[lv] = ms, p->expire_line[lv] = lineno;
		return 0;
	}
	/* quorum.LEVEL */
	{
		char *end;
		long n;

		errno = 0;
		n = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || n < 1 || n > 16) {
			snprintf(why, whylen, "must be a count of distinct approvers, 1 to 16");
			return -1;
		}
		p->quorum[lv] = (int)n, p->quorum_line[lv] = lineno;
	}
	return 0;
}

/* Stricter: an earlier time (off is the latest), a larger quorum. */
static bool
earlier(int64_t a, int64_t b)
{
	return a != ESC_OFF && (b == ESC_OFF || a < b);
}

static bool
scope_applies(const struct esc_scope *sc, const char *agent, bool has_uid, uid_t uid, gid_t gid)
{
	switch (sc->kind) {
	case ESC_SCOPE_AGENT:
		return agent != NULL && strcmp(agent, sc->name) == 0;
	case ESC_SCOPE_UID:
		return has_uid && uid == sc->uid;
	case ESC_SCOPE_GROUP:
		if (!has_uid)
			return false;
		if (gid == sc->gid)
			return true;
		for (int i = 0; i < sc->nmembers; i++)
			if (sc->members[i] == uid)
				return true;
		return false;
	}
	return false;
}

static const char *
scope_kind_name(enum esc_scope_kind k)
{
	return k == ESC_SCOPE_AGENT ? "agent" : k == ESC_SCOPE_UID ? "uid" : "group";
}

void
escpolicy_resolve(const struct escpolicy *p, const char *agent, bool has_uid, uid_t uid, gid_t gid,
    struct esc_effective *out)
{
	const struct baseline *bl = &baselines[p->base];
	char base_src[64], v[32];

	if (p->base_line > 0)
		snprintf(base_src, sizeof base_src, "line %d: policy = %s", p->base_line, base_names[p->base]);
	else
		snprintf(base_src, sizeof base_src, "policy %s (default)", base_names[p->base]);
	for (int l = 0; l < ESC_LEVELS; l++) {
		out->escalate_ms[l] = bl->escalate[l];
		out->expire_ms[l] = bl->expire[l];
		out->quorum[l] = bl->quorum[l];
		snprintf(out->escalate_src[l], sizeof out->escalate_src[l], "%s", base_src);
		snprintf(out->expire_src[l], sizeof out->expire_src[l], "%s", base_src);
		snprintf(out->quorum_src[l], sizeof out->quorum_src[l], "%s", base_src);
		if (p->escalate_line[l] > 0) {
			out->escalate_ms[l] = p->escalate_ms[l];
			esc_format_ms(p->escalate_ms[l], v, sizeof v);
			snprintf(out->escalate_src[l], sizeof out->escalate_src[l], "line %d: escalate.%s = %s",
			    p->escalate_line[l], level_names[l], v);
		}
		if (p->expire_line[l] > 0) {
			out->expire_ms[l] = p->expire_ms[l];
			esc_format_ms(p->expire_ms[l], v, sizeof v);
			snprintf(out->expire_src[l], sizeof out->expire_src[l], "line %d: expire.%s = %s",
			    p->expire_line[l], level_names[l], v);
		}
		if (p->quorum_line[l] > 0) {
			out->quorum[l] = p->quorum[l];
			snprintf(out->quorum_src[l], sizeof out->quorum_src[l], "line %d: quorum.%s = %d",
			    p->quorum_line[l], level_names[l], p->quorum[l]);
		}
	}
	for (int i = 0; i < p->nscopes; i++) {
		const struct esc_scope *sc = &p->scopes[i];
		const struct baseline *sb = &baselines[sc->base];
		char src[128];

		if (!scope_applies(sc, agent, has_uid, uid, gid))
			continue;
		snprintf(src, sizeof src, "line %d: policy.%s.%s = %s", sc->line, scope_kind_name(sc->kind),
		    sc->name, base_names[sc->base]);
		for (int l = 0; l < ESC_LEVELS; l++) {
			if (earlier(sb->escalate[l], out->escalate_ms[l])) {
				out->escalate_ms[l] = sb->escalate[l];
				snprintf(out->escalate_src[l], sizeof out->escalate_src[l], "%s", src);
			}
			if (earlier(sb->expire[l], out->expire_ms[l])) {
				out->expire_ms[l] = sb->expire[l];
				snprintf(out->expire_src[l], sizeof out->expire_src[l], "%s", src);
			}
			if (sb->quorum[l] > out->quorum[l]) {
				out->quorum[l] = sb->quorum[l];
				snprintf(out->quorum_src[l], sizeof out->quorum_src[l], "%s", src);
			}
		}
	}
}
