/* privwrap.c -- the level of a command run with other rights (privwrap.h). */
#include "broker/intent/privwrap.h"

#include <string.h>

const char *
privwrap_rule(int as, const char *user, int routine)
{
	if (as == WA_GROUP)
		return "priv-group";
	if (as == WA_NS)
		return "priv-ns";
	if (user != NULL && strcmp(user, "root") != 0 && strcmp(user, "0") != 0 && strcmp(user, "#0") != 0)
		return "priv-user";
	return routine ? "priv-routine" : "priv-root";
}

static int
is_write(enum effect e)
{
	return e == EFF_WRITE || e == EFF_OVERWRITE || e == EFF_DELETE || e == EFF_DELETE_RECURSIVE ||
	       e == EFF_CHMOD || e == EFF_CHOWN || e == EFF_SETUID;
}

static bool
routine_runs_code(const struct intent *in, int ci, size_t first_cmd, int worst)
{
	const uint64_t code = (1ull << EFF_SHELL) | (1ull << EFF_EXEC) | (1ull << EFF_DOWNLOAD_EXEC);

	for (size_t i = (size_t)ci; i < in->ncmds; i++) {
		const struct intent_cmd *c = intent_cmd(in, i);

		if (i != (size_t)ci && i < first_cmd)
			continue;
		if ((c->effects & code) != 0)
			return true;
		/* a file of the caller's it runs, reads or takes configuration from,
		 * as root (logrotate CONF, dmesg -F FILE, openvpn --config FILE) */
		for (size_t k = 0; k < c->ntargets; k++) {
			enum pclass cls = c->targets[k].cls;

			if ((c->targets[k].eff == EFF_RUN || c->targets[k].eff == EFF_READ) &&
			    (cls == PC_OUTSIDE || cls == PC_TMP || cls == PC_HOME || cls == PC_HOME_DOTFILE ||
			        cls == PC_UNKNOWN || cls == PC_SECRET))
				return true;
		}
		/* high on its own (a package from a file, firewall rules or kernel
		 * parameters from the caller, a library path): as root, for everyone;
		 * a reboot is disruption the machine recovers from */
		if (worst >= 60 && (c->effects & (1ull << EFF_POWER)) == 0)
			return true;
	}
	return false;
}

int
privwrap_escalate(struct intent_ctx *x, const struct tables *t, int ci, size_t first_cmd, size_t first_sig)
{
	struct intent *in = intent_get(x);
	const char *level = NULL;
	int worst = 0, worst_write = 0;

	if (in == NULL || ci < 0)
		return 0;
	/* the level given to this command */
	for (size_t k = first_sig; k < in->nsigs; k++) {
		const struct intent_signal *s = &in->sigs[k];

		if (s->cmd != ci || s->rule == NULL || strncmp(s->rule->id, "priv-", 5) != 0)
			continue;
		if (strcmp(s->rule->id, "priv-root") == 0 || strcmp(s->rule->id, "priv-shell") == 0 ||
		    strcmp(s->rule->id, "priv-high") == 0)
			return 0; /* critical already */
		level = s->rule->id;
	}
	if (level == NULL)
		return 0;
	/* what the wrapped command does */
	for (size_t k = first_sig; k < in->nsigs; k++) {
		const struct intent_signal *s = &in->sigs[k];

		if (s->rule == NULL || s->cmd < ci || (s->cmd != ci && (size_t)s->cmd < first_cmd) ||
		    strncmp(s->rule->id, "priv-", 5) == 0 ||
		    /* a shell of that user or group is what the level already says */
		    strcmp(s->rule->id, "shell-interactive") == 0 || strcmp(s->rule->id, "prog-interactive") == 0)
			continue;
		if (s->rule->weight > worst)
			worst = s->rule->weight;
	}
	for (size_t i = (size_t)ci; i < in->ncmds; i++) {
		const struct intent_cmd *c = intent_cmd(in, i);

		if (i != (size_t)ci && i < first_cmd)
			continue;
		for (size_t k = 0; k < c->ntargets; k++) {
			const struct rule *r = tables_target_rule(t, c->targets[k].eff, c->targets[k].cls);
			int wgt = r != NULL ? r->weight : 0;

			if (wgt > worst)
				worst = wgt;
			if (is_write(c->targets[k].eff) && wgt > worst_write)
				worst_write = wgt;
		}
	}
	/* a routine command escalates when it writes outside, when it runs
	 * code of the caller's choosing as root (a shell or command from its
	 * options: apt-get -o APT::Update::Pre-Invoke::=CMD, rpm --eval), or when
	 * what it does is high on its own */
	if (strcmp(level, "priv-routine") == 0 ? worst_write < 50 && !routine_runs_code(in, ci, first_cmd, worst) :
	                                         worst < 50)
		return 0;
	{
		const struct intent_cmd *c = intent_cmd(in, (size_t)ci);

		return intent_signal(x, ci, "priv-high", c->text, c->textlen < 200 ? c->textlen : 200);
	}
}
