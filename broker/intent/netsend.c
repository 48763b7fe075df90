/* netsend.c -- data sent to a host by line-protocol and raw-socket clients.
 *
 * `send` rows of tables/services name clients that send text or files to a
 * host they are told about (whois -h HOST, finger USER@HOST, cancel -h HOST -u
 * TEXT, lp -h HOST FILE, hping3 --file FILE HOST): to a host that is not local
 * and not one the client is meant for (safe=: whois.* for whois; "private":
 * hosts of the local network, a print server), a named file is an upload, and
 * a client without file= sends its text: `send-line` (high: the GTFOBins upload
 * channel).
 * socat's address specs (`addr` rows: FILE/OPEN are files, TCP/OPENSSL/... connect,
 * TCP-LISTEN/... listen, `-`/STDIO the standard streams) say which side reads
 * a file and which talks to the network; -u and -U set the direction.  A
 * pipeline whose producer reads files, into a raw-socket, remote or mail
 * client, `openssl s_client`, or `curl telnet://`, sends those files.  gopher://
 * and dict:// URLs carry the text in their path to the host.
 *
 * Returns to net.c (which decides upload/download once): 2 a local file goes
 * out, 4 a file comes in, 3 text in a URL, 1 text to a host (signalled here),
 * 0 nothing.  Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"

#include <ctype.h>
#include <string.h>

static bool
listed(const struct strlist *l, const char *s)
{
	for (size_t k = 0; k < l->n; k++)
		if (strcmp(l->v[k], s) == 0)
			return true;
	return false;
}

/* The value of an option of names in the command's words (NAME VALUE, NAME=VALUE, -hVALUE). */
static bool
opt_val(const struct an *an, const struct strlist *names, struct rword *out)
{
	for (size_t k = 0; k < an->n; k++) {
		const struct rword *r = &an->rw[k];

		for (size_t j = 0; j < names->n; j++) {
			size_t nl = strlen(names->v[j]);

			if (nl < 2 || names->v[j][0] != '-' || r->n < nl || memcmp(r->s, names->v[j], nl) != 0)
				continue;
			if (r->n == nl && k + 1 < an->n) {
				*out = an->rw[k + 1];
				return true;
			}
			if (r->n > nl && (r->s[nl] == '=' || (nl == 2 && names->v[j][1] != '-'))) {
				size_t skip = nl + (r->s[nl] == '=');

				*out = *r;
				out->s += skip;
				out->n -= skip;
				out->unk_at = r->unk_at == SIZE_MAX ? SIZE_MAX : r->unk_at > skip ? r->unk_at - skip : 0;
				return true;
			}
		}
	}
	return false;
}

/* host[:port] -> host; false if it does not read as a host name or address */
static bool
host_part(const char *s, size_t n, size_t *hn)
{
	size_t k = 0;

	if (n > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', n);

		if (rb == NULL)
			return false;
		*hn = (size_t)(rb - s) + 1;
		return true;
	}
	while (k < n && (isalnum((unsigned char)s[k]) || s[k] == '.' || s[k] == '-' || s[k] == '_' || s[k] == '$'))
		k++;
	if (k == 0 || (k < n && s[k] != ':' && s[k] != '/'))
		return false;
	*hn = k;
	return true;
}

/* Is the named host one to which sending is ordinary (local, private, safe=)? */
static bool
ordinary_host(struct intent_ctx *x, const struct svcrow *row, const char *h, size_t hn)
{
	enum hclass hc = tables_host_class(x->t, h, hn);

	if (hc == HC_LOCAL || (hc == HC_PRIVATE && row != NULL && listed(&row->safe, "private")))
		return true;
	for (size_t k = 0; row != NULL && k < row->safe.n; k++)
		if (glob_match(row->safe.v[k], h, hn, true))
			return true;
	return false;
}

/* Does a producer of the pipe into this command read a file? */
static bool
pipe_reads_files(struct intent_ctx *x, int from)
{
	for (int i = from, steps = 0; i >= 0 && steps < 16; steps++) {
		const struct intent_cmd *c = wk_cmd_at(x, i);

		if (c == NULL)
			break;
		for (size_t k = 0; k < c->ntargets; k++)
			if (c->targets[k].eff == EFF_READ || c->targets[k].eff == EFF_VIEW)
				return true;
		i = c->stdin_from;
	}
	return false;
}

static int
send_row(struct an *an, const struct svcrow *row)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	const struct rword *hostword = NULL;
	struct rword hv;
	size_t hn = 0;
	const char *h = NULL;
	int ret = 0;

	if (opt_val(an, &row->host, &hv) && host_part(hv.s, hv.n, &hn)) {
		h = hv.s;
	} else if (listed(&row->host, "at")) {
		for (size_t k = 0; k < a->npos && h == NULL; k++) {
			const char *at = memrchr(a->pos[k]->s, '@', a->pos[k]->n);

			if (at != NULL && host_part(at + 1, a->pos[k]->n - (size_t)(at + 1 - a->pos[k]->s), &hn)) {
				h = at + 1;
				hostword = a->pos[k];
			}
		}
	} else if (listed(&row->host, "pos")) {
		for (size_t k = 0; k < a->npos && h == NULL; k++)
			if (!isdigit((unsigned char)a->pos[k]->s[0]) || memchr(a->pos[k]->s, '.', a->pos[k]->n) != NULL)
				if (host_part(a->pos[k]->s, a->pos[k]->n, &hn) && hn == a->pos[k]->n) {
					h = a->pos[k]->s;
					hostword = a->pos[k];
				}
	}
	if (h == NULL)
		return 0;
	wk_add_host_raw(x, an->ci, h[0] == '[' && hn > 2 ? h + 1 : h, h[0] == '[' && hn > 2 ? hn - 2 : hn);
	if (ordinary_host(x, row, h, hn))
		return 0;
	{
		struct rword fv;

		if (row->file.n > 0 && opt_val(an, &row->file, &fv)) {
			wk_add_target(an->w, an->ci, &fv, EFF_READ);
			ret = 2;
		}
		if (listed(&row->file, "pos"))
			for (size_t k = 0; k < a->npos; k++)
				if (a->pos[k] != hostword) {
					wk_add_target(an->w, an->ci, a->pos[k], EFF_READ);
					ret = 2;
				}
	}
	if (ret == 0 && row->file.n == 0) {
		/* a text client: what it sends is the text it was given */
		wk_sig(x, an->ci, "send-line");
		intent_add_effect(x, an->ci, EFF_NETWORK);
		ret = 1;
	}
	return ret;
}

/* socat ADDRESS ADDRESS */
static int
socat(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	enum svc_addr kind[2] = { SVA_NONE, SVA_NONE };
	struct rword file[2];
	bool reads[2] = { true, true };
	size_t np = 0;

	if (wk_has_flag(a, "-u", false))
		reads[1] = false; /* left to right: the left address is read */
	if (wk_has_flag(a, "-U", false))
		reads[0] = false;
	for (size_t k = 0; k < a->npos && np < 2; k++, np++) {
		const struct rword *r = a->pos[k];
		const char *c = r->s, *e = r->s + r->n;
		const struct svcrow *row;
		char low[32];
		size_t tl = 0;

		while (c < e && *c != ':' && *c != ',' && tl + 1 < sizeof low) {
			low[tl++] = (char)tolower((unsigned char)*c);
			c++;
		}
		if (tl == 0 || (c < e && *c != ':' && *c != ','))
			continue;
		low[tl] = '\0';
		if ((row = tables_svc(x->t, SVK_ADDR, low, tl)) == NULL)
			continue;
		kind[np] = (enum svc_addr)row->dir;
		if (kind[np] == SVA_FILE && c < e && *c == ':') {
			const char *end = memchr(c + 1, ',', (size_t)(e - c - 1));

			file[np] = *r;
			file[np].s = c + 1;
			file[np].n = (size_t)((end != NULL ? end : e) - (c + 1));
			file[np].unk_at = SIZE_MAX;
			if (r->unk_at != SIZE_MAX)
				file[np].unk_at = r->unk_at > (size_t)(c + 1 - r->s) ? r->unk_at - (size_t)(c + 1 - r->s) : 0;
		} else if ((kind[np] == SVA_CONNECT) && c < e && *c == ':') {
			size_t hn;

			if (host_part(c + 1, (size_t)(e - c - 1), &hn))
				wk_add_host_raw(x, an->ci, c + 1, hn);
		}
	}
	if (np < 2)
		return 0;
	for (int s = 0; s < 2; s++) {
		int o = 1 - s;

		if (kind[o] != SVA_CONNECT && kind[o] != SVA_LISTEN)
			continue;
		if (kind[s] == SVA_FILE && file[s].n > 0) {
			/* the file is read and sent, or written with what arrives */
			if (reads[s]) {
				wk_add_target(an->w, an->ci, &file[s], EFF_READ);
				return 2;
			}
			wk_add_target(an->w, an->ci, &file[s], EFF_WRITE);
			return 4;
		}
		if (kind[s] == SVA_STDIO && reads[s] &&
		    (an->cc->has_stdin_file || (an->cc->stdin_from >= 0 && pipe_reads_files(x, an->cc->stdin_from)))) {
			if (an->cc->has_stdin_file)
				wk_add_target(an->w, an->ci, &an->cc->stdin_file, EFF_READ);
			wk_sig(x, an->ci, "upload-stdin");
			return 2;
		}
	}
	return 0;
}

int
wk_net_send(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	uint64_t cls = an->pg->classes;
	const struct svcrow *row = tables_svc(x->t, SVK_SEND, an->pg->name, strlen(an->pg->name));
	bool telnet_url = false, data_url = false, stdin_sender;

	if (row != NULL)
		return send_row(an, row);
	if (strcmp(an->pg->name, "socat") == 0)
		return socat(an);
	for (size_t k = 0; k < a->nall; k++) {
		const struct rword *r = &a->all[k];
		char c0 = r->n > 7 ? (char)(r->s[0] | 0x20) : 0;

		if (c0 != 't' && c0 != 'g' && c0 != 'd') /* telnet:// gopher:// dict:// only */
			continue;
		if (r->n > 9 && strncasecmp(r->s, "telnet://", 9) == 0)
			telnet_url = true;
		if ((r->n > 9 && strncasecmp(r->s, "gopher://", 9) == 0) ||
		    (r->n > 10 && strncasecmp(r->s, "gophers://", 10) == 0) ||
		    (r->n > 7 && strncasecmp(r->s, "dict://", 7) == 0)) {
			const char *p = memchr(r->s + 7, '/', r->n - 7);

			if (p != NULL && p + 1 < r->s + r->n)
				data_url = true;
		}
	}
	stdin_sender = (cls & (PCL(RAWNET) | PCL(REMOTE) | PCL(MAIL))) || telnet_url ||
	               (strcmp(an->pg->name, "openssl") == 0 && wk_cmd(an)->sub != NULL &&
	                   strcmp(wk_cmd(an)->sub, "s_client") == 0);
	if (stdin_sender && an->cc->stdin_from >= 0 && pipe_reads_files(x, an->cc->stdin_from)) {
		struct stdin_info si;

		wk_sig(x, an->ci, "upload-stdin");
		wk_get_stdin_info(x, an->cc->stdin_from, &si);
		if (si.secret) {
			wk_sig(x, an->ci, "exfiltrate");
			intent_add_effect(x, an->ci, EFF_EXFILTRATE);
		}
		return 2;
	}
	if (telnet_url && an->cc->has_stdin_file && !(cls & PCL(RAWNET))) {
		wk_add_target(an->w, an->ci, &an->cc->stdin_file, EFF_READ);
		return 2;
	}
	return data_url ? 3 : 0;
}
