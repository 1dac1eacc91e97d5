/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "common/buf.h"
#include "common/err.h"
#include "proxy/tls.h"

#define TLS_MAX_CHAIN	8
#define TLS_MAX_FILE	(1024 * 1024)

struct tls_creds {
	struct tls_creds	*next;
	char			*cert_pem, *key_pem;	/* as read: identity */
	size_t			 cert_len, key_len;
	gnutls_pcert_st		 pcerts[TLS_MAX_CHAIN];
	unsigned int		 npcerts;
	gnutls_privkey_t	 key;
};

/* What tls_retrieve() returns to GnuTLS to end the handshake. */
#define TLS_RETRIEVE_REFUSE	(-1)

static pthread_mutex_t			 loaded_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tls_creds			*loaded;
static _Atomic(struct tls_creds *)	 current;

static int
read_small(const char *path, struct buf *b, FILE *err)
{
	FILE	*f;
	char	 chunk[8192];
	size_t	 n;
	int	 r = 0;

	buf_init(b, TLS_MAX_FILE);
	if ((f = fopen(path, "re")) == NULL) {
		fprintf(err, "%s: cannot read: %s\n", path, strerror(errno));
		return ERR_SYSTEM;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(b, chunk, n) != 0) {
			fprintf(err, "%s: larger than %d bytes\n", path,
			    TLS_MAX_FILE);
			r = ERR_TOO_BIG;
			break;
		}
	if (r == 0 && ferror(f)) {
		fprintf(err, "%s: cannot read: %s\n", path, strerror(errno));
		r = ERR_SYSTEM;
	}
	fclose(f);
	if (r != 0)
		buf_free(b);
	return r;
}

static void
creds_free(struct tls_creds *c)
{
	unsigned int i;

	for (i = 0; i < c->npcerts; i++)
		gnutls_pcert_deinit(&c->pcerts[i]);
	if (c->key != NULL)
		gnutls_privkey_deinit(c->key);
	free(c->cert_pem);
	free(c->key_pem);
	free(c);
}

static int
same_pubkey(gnutls_pubkey_t a, gnutls_privkey_t key)
{
	gnutls_pubkey_t	 b = NULL;
	gnutls_datum_t	 da = { NULL, 0 }, db = { NULL, 0 };
	int		 same = 0;

	if (gnutls_pubkey_init(&b) == 0 &&
	    gnutls_pubkey_import_privkey(b, key, 0, 0) == 0 &&
	    gnutls_pubkey_export2(a, GNUTLS_X509_FMT_DER, &da) == 0 &&
	    gnutls_pubkey_export2(b, GNUTLS_X509_FMT_DER, &db) == 0)
		same = da.size == db.size &&
		    memcmp(da.data, db.data, da.size) == 0;
	gnutls_free(da.data);
	gnutls_free(db.data);
	if (b != NULL)
		gnutls_pubkey_deinit(b);
	return same;
}

static void
print_time(FILE *err, const char *path, const char *what, time_t t)
{
	struct tm	tm;
	char		when[64];

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	fprintf(err, "%s: the certificate %s %s\n", path, what, when);
}

/* The leaf certificate is valid now. */
static int
check_dates(const gnutls_datum_t *der, const char *path, FILE *err)
{
	gnutls_x509_crt_t	crt;
	time_t			now = time(NULL), t;
	int			r = ERR_INVALID;

	if (gnutls_x509_crt_init(&crt) != 0)
		return ERR_NOMEM;
	if (gnutls_x509_crt_import(crt, der, GNUTLS_X509_FMT_DER) != 0)
		fprintf(err, "%s: unreadable certificate\n", path);
	else if ((t = gnutls_x509_crt_get_expiration_time(crt)) < now)
		print_time(err, path, "expired on", t);
	else if ((t = gnutls_x509_crt_get_activation_time(crt)) > now)
		print_time(err, path, "is not valid before", t);
	else
		r = 0;
	gnutls_x509_crt_deinit(crt);
	return r;
}

static struct tls_creds *
creds_parse(struct buf *cert, struct buf *key, const char *cert_file,
    const char *key_file, FILE *err)
{
	struct tls_creds	*c;
	gnutls_datum_t		 d;
	int			 r;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		fprintf(err, "out of memory\n");
		return NULL;
	}
	c->npcerts = TLS_MAX_CHAIN;
	d.data = (unsigned char *)cert->data;
	d.size = (unsigned int)cert->len;
	if ((r = gnutls_pcert_list_import_x509_raw(c->pcerts, &c->npcerts, &d,
	    GNUTLS_X509_FMT_PEM, 0)) != 0 || c->npcerts == 0) {
		c->npcerts = 0;
		fprintf(err, "%s: no usable PEM certificate: %s\n", cert_file,
		    r == GNUTLS_E_SHORT_MEMORY_BUFFER ? "more than 8 in the "
		    "chain" : gnutls_strerror(r));
		goto fail;
	}
	d.data = (unsigned char *)key->data;
	d.size = (unsigned int)key->len;
	if (gnutls_privkey_init(&c->key) != 0 ||
	    (r = gnutls_privkey_import_x509_raw(c->key, &d,
	    GNUTLS_X509_FMT_PEM, NULL, 0)) != 0) {
		if (strcmp(key_file, cert_file) == 0)
			fprintf(err, "%s: no private key beside the certificate; "
			    "set ssl_key_file\n", cert_file);
		else
			fprintf(err, "%s: no usable PEM private key (an "
			    "encrypted key is not supported): %s\n", key_file,
			    gnutls_strerror(r));
		goto fail;
	}
	if (!same_pubkey(c->pcerts[0].pubkey, c->key)) {
		fprintf(err, "%s: the private key is not the one of the "
		    "certificate in %s\n", key_file, cert_file);
		goto fail;
	}
	if (check_dates(&c->pcerts[0].cert, cert_file, err) != 0)
		goto fail;
	c->cert_pem = buf_steal(cert, &c->cert_len);
	c->key_pem = buf_steal(key, &c->key_len);
	return c;
fail:
	creds_free(c);
	return NULL;
}

struct tls_creds *
tls_creds_load(const char *cert_file, const char *key_file, FILE *err)
{
	struct tls_creds	*c;
	struct buf		 cert, key;

	if (key_file == NULL || *key_file == '\0')
		key_file = cert_file;
	if (read_small(cert_file, &cert, err) != 0)
		return NULL;
	if (read_small(key_file, &key, err) != 0) {
		buf_free(&cert);
		return NULL;
	}
	pthread_mutex_lock(&loaded_lock);
	for (c = loaded; c != NULL; c = c->next)
		if (c->cert_len == cert.len && c->key_len == key.len &&
		    memcmp(c->cert_pem, cert.data, cert.len) == 0 &&
		    memcmp(c->key_pem, key.data, key.len) == 0)
			break;
	if (c == NULL && (c = creds_parse(&cert, &key, cert_file, key_file,
	    err)) != NULL) {
		c->next = loaded;
		loaded = c;
	}
	pthread_mutex_unlock(&loaded_lock);
	buf_free(&cert);
	buf_free(&key);
	return c;
}

/* The agent's protocol names, as IO::Socket::SSL spells them. */
static const struct {
	const char	*names[3];
	const char	*gnutls;	/* NULL: not available */
} protocols[] = {
	{ { "SSLv2", NULL, NULL }, NULL },
	{ { "SSLv3", NULL, NULL }, NULL },
	{ { "TLSv1", "TLSv1_0", "TLSv10" }, "VERS-TLS1.0" },
	{ { "TLSv11", "TLSv1_1", NULL }, "VERS-TLS1.1" },
	{ { "TLSv12", "TLSv1_2", NULL }, "VERS-TLS1.2" },
	{ { "TLSv13", "TLSv1_3", NULL }, "VERS-TLS1.3" },
};
#define NPROTOCOLS	(sizeof(protocols) / sizeof(protocols[0]))

static int
protocol_index(const char *name, size_t len)
{
	size_t	i, j;

	for (i = 0; i < NPROTOCOLS; i++)
		for (j = 0; j < 3 && protocols[i].names[j] != NULL; j++)
			if (strlen(protocols[i].names[j]) == len &&
			    strncasecmp(protocols[i].names[j], name, len) == 0)
				return (int)i;
	return ERR_NOT_FOUND;
}

int
tls_priority(const char *ssl_cipher, char *out, size_t outlen, FILE *err)
{
	int		 on[NPROTOCOLS] = { 0 }, any_positive = 0, n = 0, idx;
	const char	*p = ssl_cipher;
	size_t		 len, i, used;
	int		 neg;

	/*
	 * Empty: TLS 1.2 and 1.3 only.  GnuTLS's NORMAL still offers 1.0
	 * and 1.1 (RFC 8996 deprecates them: SHA-1 and MD5 in the handshake,
	 * CBC ciphers only); an operator with agents that speak nothing
	 * newer names them in ssl_cipher (SSLv23, or TLSv1:TLSv11:...).
	 */
	if (*p == '\0') {
		if ((size_t)snprintf(out, outlen, "%s", TLS_PRIORITY_DEFAULT) >=
		    outlen) {
			fprintf(err, "ssl-server-plugin.cfg: ssl_cipher: too "
			    "long\n");
			return ERR_INVALID;
		}
		return 0;
	}
	/* Negations alone start from every protocol, like SSLv23. */
	for (; *p != '\0'; p += len + (p[len] == ':')) {
		len = strcspn(p, ":");
		neg = *p == '!';
		if (neg) {
			p++;
			len--;
		}
		if (len == 0)
			continue;
		if (len == 6 && strncasecmp(p, "SSLv23", 6) == 0)
			idx = -2;
		else if ((idx = protocol_index(p, len)) < 0) {
			fprintf(err, "ssl-server-plugin.cfg: ssl_cipher: "
			    "unknown protocol \"%.*s\" (use SSLv23, TLSv1, "
			    "TLSv11, TLSv12, TLSv13, each maybe with '!')\n",
			    (int)len, p);
			return ERR_INVALID;
		}
		if (!neg)
			any_positive = 1;
		for (i = 0; i < NPROTOCOLS; i++)
			if (idx == -2 || (int)i == idx)
				on[i] = neg ? -1 : (on[i] == -1 ? -1 : 1);
	}
	used = (size_t)snprintf(out, outlen, "NORMAL:-VERS-ALL");
	for (i = NPROTOCOLS; i-- > 0;) {
		if (on[i] == -1 || (any_positive && on[i] != 1) ||
		    protocols[i].gnutls == NULL)
			continue;
		used += (size_t)snprintf(out + used, used < outlen ?
		    outlen - used : 0, ":+%s", protocols[i].gnutls);
		n++;
	}
	if (used >= outlen) {
		fprintf(err, "ssl-server-plugin.cfg: ssl_cipher: too long\n");
		return ERR_INVALID;
	}
	if (n == 0) {
		fprintf(err, "ssl-server-plugin.cfg: ssl_cipher: \"%s\" leaves "
		    "no protocol this server speaks (TLS 1.0 to 1.3)\n",
		    ssl_cipher);
		return ERR_INVALID;
	}
	return 0;
}

void
tls_use(struct tls_creds *c)
{
	atomic_store(&current, c);
}

int
tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_dn,
    int nreqs, const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
    gnutls_pcert_st **pcert, unsigned int *pcert_length,
    gnutls_privkey_t *pkey)
{
	struct tls_creds *c = atomic_load(&current);

	(void)session;
	(void)req_ca_dn;
	(void)nreqs;
	(void)pk_algos;
	(void)pk_algos_length;
	if (c == NULL)
		return TLS_RETRIEVE_REFUSE;
	*pcert = c->pcerts;
	*pcert_length = c->npcerts;
	*pkey = c->key;
	return 0;
}

void
tls_cleanup(void)
{
	struct tls_creds *c;

	atomic_store(&current, NULL);
	pthread_mutex_lock(&loaded_lock);
	while ((c = loaded) != NULL) {
		loaded = c->next;
		creds_free(c);
	}
	pthread_mutex_unlock(&loaded_lock);
}
