/* loopback.c -- HTTP to this machine's own services scored as local
 * (docs/RISK.md "Loopback"; issue #17).
 *
 * A developer's own services on loopback (`curl -s http://localhost:8081/api`)
 * are not the internet: a read of one is low (download-local) and a write to
 * one medium at most (upload-local), unless another part of the request says
 * more.  Not for:
 *   - daemons whose API is control of the machine: Docker (2375, 2376, 2377),
 *     the kubelet (10250, 10255), the Kubernetes API (6443), etcd (2379,
 *     2380), Consul (8500), Nomad (4646), Vault (8200), Chrome's and Node's
 *     debuggers (9222, 9229): local-daemon (high), also for a bare
 *     `localhost:2375/...`;
 *   - a Unix socket (`curl --unix-socket /var/run/docker.sock`): local-socket
 *     (high);
 *   - a host that is not this machine by its literal name or address
 *     (127.0.0.1.nip.io, localhost.example) or cloud metadata addresses;
 *   - a command whose request text mentions a proxy, --resolve, --connect-to or
 *     socks (the connection may go elsewhere);
 *   - the exfiltration signals: a secret sent to loopback may be tunnelled on,
 *     so exfiltrate, exfil-env and the rest keep their weight. */
#include "broker/intent/walk.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const int daemon_ports[] = { 2375, 2376, 2377, 10250, 10255, 6443, 2379, 2380, 8500, 4646, 8200, 9222,
	9229 };

static bool
daemon_port(long p)
{
	for (size_t k = 0; k < sizeof daemon_ports / sizeof daemon_ports[0]; k++)
		if (daemon_ports[k] == p)
			return true;
	return false;
}

/* The host and port of "[scheme://][user@]host[:port][/...]"; port 0 when
 * none is written.  False when s has no host. */
static bool
host_port(const char *s, size_t n, const char **h, size_t *hn, long *port)
{
	const char *p = s, *e = s + n, *end, *at, *q;
	const char *ss = wk_find(s, n, "://", 3);

	if (ss != NULL)
		p = ss + 3;
	for (end = p; end < e && *end != '/' && *end != '?' && *end != '#'; end++)
		;
	at = memrchr(p, '@', (size_t)(end - p));
	if (at != NULL)
		p = at + 1;
	*port = 0;
	if (p < end && *p == '[') {
		const char *rb = memchr(p, ']', (size_t)(end - p));

		if (rb == NULL || rb == p + 1)
			return false;
		*h = p + 1;
		*hn = (size_t)(rb - p - 1);
		q = rb + 1;
	} else {
		q = memchr(p, ':', (size_t)(end - p));
		if (q == NULL)
			q = end;
		if (q == p)
			return false;
		*h = p;
		*hn = (size_t)(q - p);
	}
	if (q < end && *q == ':') {
		long v = 0;

		for (q++; q < end && isdigit((unsigned char)*q) && v < 100000; q++)
			v = v * 10 + (*q - '0');
		if (q != end)
			return false; /* not a port */
		*port = v;
	}
	return true;
}

void
wk_loopback_port(struct intent_ctx *x, int i, const char *s, size_t n)
{
	const char *h;
	size_t hn;
	long port;

	if (n > 1024 || !host_port(s, n, &h, &hn, &port) || port == 0 || hn > 255 || !daemon_port(port))
		return;
	if (tables_host_class(x->t, h, hn) == HC_LOCAL)
		wk_sig(x, i, "local-daemon");
}

/* This machine by its literal name or address: localhost, 127.x.x.x (digits
 * and dots only: 127.0.0.1.nip.io is a DNS name anyone can point anywhere),
 * ::1, 0.0.0.0.  The hosts table's `local` class is wider (127.*). */
static bool
loopback_host(const char *h)
{
	size_t dots = 0;

	if (strcasecmp(h, "localhost") == 0 || strcasecmp(h, "localhost.localdomain") == 0 || strcmp(h, "::1") == 0 ||
	    strcmp(h, "0:0:0:0:0:0:0:1") == 0 || strcmp(h, "0.0.0.0") == 0)
		return true;
	if (strncmp(h, "127.", 4) != 0)
		return false;
	for (const char *p = h + 3; *p != '\0'; p++) {
		if (*p == '.') {
			if (++dots > 3 || p[1] == '.' || p[1] == '\0')
				return false;
		} else if (!isdigit((unsigned char)*p)) {
			return false;
		}
	}
	return true;
}

static bool
mentions(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	for (size_t k = 0; k + wl <= n; k++)
		if (strncasecmp(s + k, w, wl) == 0)
			return true;
	return false;
}

/* Something in the request may send the connection elsewhere. */
static bool
rerouted(const struct intent *in)
{
	static const char *const words[] = { "proxy", "--resolve", "--connect-to", "socks", "--interface",
		"--dns-servers", "--doh-url", "--unix-socket", "--abstract-unix-socket" };

	for (size_t k = 0; k < in->ncmds; k++) {
		const struct intent_cmd *c = intent_cmd(in, k);

		for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
			if (mentions(c->text, c->textlen, words[w]))
				return true;
	}
	return false;
}

static bool
has_sig(const struct intent *in, int ci, const char *id)
{
	for (size_t k = 0; k < in->nsigs; k++)
		if (in->sigs[k].cmd == ci && strcmp(in->sigs[k].rule->id, id) == 0)
			return true;
	return false;
}

int
intent_loopback_apply(struct intent_ctx *x)
{
	struct intent *in = x->in;
	const struct rule *dl = tables_rule(x->t, "download-local"), *ul = tables_rule(x->t, "upload-local");
	int rr = -1; /* rerouted(), computed once when needed */

	for (size_t i = 0; i < in->ncmds; i++) {
		const struct intent_cmd *c = intent_cmd(in, i);

		for (size_t k = 0; k < c->nflags; k++)
			if (strcmp(c->flags[k], "--unix-socket") == 0 || strcmp(c->flags[k], "--abstract-unix-socket") == 0)
				wk_sig(x, (int)i, "local-socket");
	}
	for (size_t i = 0; i < in->ncmds; i++) {
		const struct intent_cmd *c = intent_cmd(in, i);
		bool local = c->nhosts > 0;

		for (size_t k = 0; k < c->nhosts && local; k++)
			local = c->hosts[k].cls == HC_LOCAL && loopback_host(c->hosts[k].host);
		if (!local || has_sig(in, (int)i, "local-daemon") || has_sig(in, (int)i, "local-socket") ||
		    has_sig(in, (int)i, "host-metadata"))
			continue;
		if (rr < 0)
			rr = rerouted(in);
		if (rr)
			return x->oom ? -1 : 0;
		for (size_t k = 0; k < in->nsigs; k++) {
			struct intent_signal *s = &in->sigs[k];
			const char *id = s->rule->id;

			if (s->cmd != (int)i)
				continue;
			if (strcmp(id, "download") == 0 && dl != NULL)
				s->rule = dl;
			else if ((strcmp(id, "upload") == 0 || strcmp(id, "upload-stdin") == 0 || strcmp(id, "net-send") == 0 ||
			             strcmp(id, "network") == 0) && ul != NULL && s->rule->weight > ul->weight)
				s->rule = ul;
		}
	}
	return x->oom ? -1 : 0;
}
