/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * TLS of the listeners (GnuTLS, through libmicrohttpd).
 *
 * Every TLS listener presents the certificate of ssl-server-plugin.cfg.
 * libmicrohttpd asks tls_retrieve() for it at each handshake, so a reload
 * swaps it (tls_use()) without touching a listening socket or an
 * established connection.  Loaded credentials are kept until
 * tls_cleanup(): a handshake may still use the ones a reload replaced.
 * Loading the same files again reuses them, so reloads do not add up.
 */
#ifndef PASSEUR_PROXY_TLS_H
#define PASSEUR_PROXY_TLS_H

#include <stddef.h>
#include <stdio.h>

#include <gnutls/abstract.h>

struct tls_creds;

/*
 * Loads and checks a certificate (chain, PEM) and its private key (PEM;
 * key_file NULL or empty: from cert_file): both readable, the key that of
 * the certificate, the certificate valid now.  Prints `file: reason` to
 * err and returns NULL on failure.
 */
struct tls_creds	*tls_creds_load(const char *cert_file,
			    const char *key_file, FILE *err);

/* What an empty ssl_cipher gives: GnuTLS's defaults, TLS 1.2 and 1.3. */
#define TLS_PRIORITY_DEFAULT	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/*
 * Maps an ssl_cipher value (the agent's SSL_version syntax: protocol
 * names joined by ':', each maybe negated with '!', e.g. "TLSv13" or
 * "SSLv23:!TLSv1:!TLSv11") to a GnuTLS priority string in out.  An empty
 * value gives TLS_PRIORITY_DEFAULT (no TLS 1.0 nor 1.1); a value given
 * keeps the agent's meaning (SSLv23 is every version, TLS 1.0 included).
 * Returns 0, or ERR_INVALID with a reason in err.
 */
int			 tls_priority(const char *ssl_cipher, char *out,
			    size_t outlen, FILE *err);

/* The credentials handshakes use from now on (NULL: refuse them). */
void			 tls_use(struct tls_creds *c);

/* libmicrohttpd's certificate callback (gnutls_certificate_retrieve_function2). */
int			 tls_retrieve(gnutls_session_t session,
			    const gnutls_datum_t *req_ca_dn, int nreqs,
			    const gnutls_pk_algorithm_t *pk_algos,
			    int pk_algos_length, gnutls_pcert_st **pcert,
			    unsigned int *pcert_length,
			    gnutls_privkey_t *pkey);

void			 tls_cleanup(void);

#endif
