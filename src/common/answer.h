/*
 * Reading the answers of a GLPI server or a proxy: the "status" and
 * "expiration" of a JSON answer (JPC), and the ERROR of a legacy XML
 * REPLY.
 */
#ifndef PASSEUR_COMMON_ANSWER_H
#define PASSEUR_COMMON_ANSWER_H

#include <stddef.h>

/*
 * Seconds of an expiration text: "^\d+[smhd]?$", no unit meaning hours.
 * Returns -1 when the text does not follow that grammar.
 */
long	answer_expiration_seconds(const char *text);

/*
 * Reads a JSON answer: its "status" into status ("" when absent or not
 * JSON), its "message" into message ("" when absent; message may be
 * NULL), and its expiration in seconds into *expirationp (-1 when absent
 * or unreadable; a number is hours).  Returns 0, or -1 when the body is
 * not a JSON object.
 */
int	answer_json(const void *body, size_t len, char *status,
	    size_t statuslen, char *message, size_t messagelen,
	    long *expirationp);

#endif
