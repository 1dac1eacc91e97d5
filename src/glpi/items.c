/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/err.h"
#include "glpi/apimode.h"
#include "glpi/config.h"
#include "glpi/items.h"
#include "glpi/rest.h"

#define MAX_SETS	32	/* --set options of one update */
#define PASSWORD_MAX	256

/* The object types, and the columns of their lists. */
static const struct type {
	const char	*word;		/* on the command line */
	const char	*itemtype;	/* GLPI's */
	const char	*plural;
	const char	*columns[5];
} types[] = {
	{ "computer", "Computer", "computers",
	    { "id", "name", "serial", "entities_id", NULL } },
	{ "user", "User", "users",
	    { "id", "name", "realname", "firstname", "is_active" } },
	{ "entity", "Entity", "entities",
	    { "id", "name", "completename", "entities_id", NULL } },
};

enum action { A_LIST, A_SHOW, A_ADD, A_UPDATE, A_DELETE };

/* The actions, their operand count and the options each takes. */
static const struct action_def {
	const char	*name;
	enum action	 id;
	int		 operands;
	const char	*options;	/* short letters, by type below */
	int		 writes;
} actions[] = {
	{ "list", A_LIST, 0, "js", 0 },
	{ "show", A_SHOW, 1, "j", 0 },
	{ "add", A_ADD, 1, "jypeRPS", 1 },
	{ "update", A_UPDATE, 1, "jyt", 1 },
	{ "delete", A_DELETE, 1, "jyx", 1 },
};

/* Options of add that only some types take. */
static const struct {
	const char	*word;
	const char	*add_options;
} add_by_type[] = {
	{ "computer", "jyeS" },
	{ "user", "jypeRP" },
	{ "entity", "jya" },
};

struct cmd {
	const struct type	*type;
	const struct action_def	*action;
	const char		*operand;
	const char		*search, *parent, *profile, *entity, *serial;
	const char		*sets[MAX_SETS];
	int			 nsets;
	int			 json, yes, recursive, password_stdin, purge;
	struct glpi_conf	 conf;
	struct rest		*rest;
	struct rest_error	 err;
	char			 prefix[64];	/* "passeur glpi computer add" */
};

int
items_is_type(const char *word)
{
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].word, word) == 0)
			return 1;
	return 0;
}

/* Text from GLPI on a terminal: control characters become '?'. */
static void
put_clean(const char *s)
{
	for (; *s != '\0'; s++)
		putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
}

/* A value as a person reads it: text as is, null as "", the rest JSON. */
static void
put_value(json_t *v)
{
	char	*s;

	if (json_is_string(v))
		put_clean(json_string_value(v));
	else if (json_is_integer(v))
		printf("%lld", (long long)json_integer_value(v));
	else if (!json_is_null(v) && v != NULL &&
	    (s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY)) != NULL) {
		put_clean(s);
		free(s);
	}
}

/* The API's failure, said once; its exit status. */
static int
api_failed(struct cmd *c, int rc)
{
	if (rc == ERR_NOMEM || rc == ERR_TOO_BIG) {
		fprintf(stderr, "%s: %s\n", c->prefix, err_str(rc));
		return 1;
	}
	if (rc == ERR_EXISTS) {		/* a name several objects share */
		fprintf(stderr, "%s: %s: %s\n", c->prefix, c->err.glpi,
		    c->err.advice);
		return 1;
	}
	rest_error_print(&c->err, c->prefix);
	return c->err.kind == REST_OK ? 1 : (int)c->err.kind;
}

/* The refusal of a write in read-only mode; no request is sent. */
static int
refuse(const struct cmd *c, const struct apimode *m)
{
	const char *verb = c->action->id == A_ADD ? "creating" :
	    c->action->id == A_UPDATE ? "modifying" : "deleting";

	if (m == NULL)
		fprintf(stderr, "%s: refused: mode = read-only in glpi.cfg; "
		    "%s %s needs the %s profile (and mode = auto or "
		    "super-admin)\n", c->prefix, verb, c->type->plural,
		    APIMODE_WRITER);
	else
		fprintf(stderr, "%s: refused: the API user's profile is %s "
		    "(mode = auto); %s %s needs the %s profile\n", c->prefix,
		    m->profile[0] != '\0' ? m->profile : "unknown", verb,
		    c->type->plural, APIMODE_WRITER);
	fprintf(stderr, "%s: nothing was sent to GLPI\n", c->prefix);
	return ITEMS_EXIT_READ_ONLY;
}

/* An id given as digits, or the id of the item of that name. */
static int
resolve(struct cmd *c, const char *itemtype, const char *what, long *idp)
{
	char	*end;
	long	 id;

	if (isdigit((unsigned char)what[0])) {
		errno = 0;
		id = strtol(what, &end, 10);
		if (errno == 0 && *end == '\0' && id >= 0) {
			*idp = id;
			return 0;
		}
	}
	return rest_find_by_name(c->rest, itemtype, what, idp, &c->err);
}

static int
on_json_row(void *arg, json_t *item)
{
	long	*n = arg;
	char	*s;

	if ((s = json_dumps(item, JSON_COMPACT)) == NULL)
		return ERR_NOMEM;
	printf("%s  %s", *n > 0 ? ",\n" : "[\n", s);
	free(s);
	(*n)++;
	return 0;
}

static int
on_table_row(void *arg, json_t *item)
{
	const struct cmd	*c = arg;
	int			 i;

	for (i = 0; i < 5 && c->type->columns[i] != NULL; i++) {
		if (i > 0)
			putchar('\t');
		put_value(json_object_get(item, c->type->columns[i]));
	}
	putchar('\n');
	return 0;
}

static int
do_list(struct cmd *c)
{
	struct buf	 path;
	long		 n = 0, total;
	int		 i, rc;

	buf_init(&path, 4096);
	rc = buf_appendf(&path, "%s?expand_dropdowns=false&sort=id",
	    c->type->itemtype);
	if (rc == 0 && c->search != NULL) {
		rc = buf_appendf(&path, "&searchText[name]=");
		for (i = 0; rc == 0 && c->search[i] != '\0'; i++)
			rc = isalnum((unsigned char)c->search[i]) ?
			    buf_append(&path, c->search + i, 1) :
			    buf_appendf(&path, "%%%02X",
			    (unsigned char)c->search[i]);
	}
	if (rc != 0) {
		buf_free(&path);
		return api_failed(c, rc);
	}
	if (!c->json) {
		for (i = 0; i < 5 && c->type->columns[i] != NULL; i++)
			printf("%s%s", i > 0 ? "\t" : "", c->type->columns[i]);
		putchar('\n');
	}
	/* Rows are printed as their page comes: one page in memory. */
	rc = rest_each(c->rest, path.data, c->json ? on_json_row :
	    on_table_row, c->json ? (void *)&n : (void *)c, &total, &c->err);
	buf_free(&path);
	if (c->json)
		printf(n > 0 ? "\n]\n" : "[]\n");
	if (rc != 0)
		return api_failed(c, rc);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* GET of one item by id; *outp the caller's. */
static int
get_item(struct cmd *c, long id, json_t **outp)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%ld?get_hateoas=false",
	    c->type->itemtype, id);
	return rest_call(c->rest, "GET", path, NULL, outp, &c->err);
}

static int
do_show(struct cmd *c)
{
	json_t		*item = NULL, *v;
	const char	*k;
	char		*s;
	long		 id;
	int		 rc;

	if ((rc = resolve(c, c->type->itemtype, c->operand, &id)) != 0 ||
	    (rc = get_item(c, id, &item)) != 0)
		return api_failed(c, rc);
	if (c->json) {
		if ((s = json_dumps(item, JSON_INDENT(2))) != NULL) {
			printf("%s\n", s);
			free(s);
		}
	} else
		json_object_foreach(item, k, v) {
			if (strcmp(k, "links") == 0)
				continue;
			put_clean(k);
			printf(": ");
			put_value(v);
			putchar('\n');
		}
	json_decref(item);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* On a terminal, unless --yes: 1 when the person said yes. */
static int
confirm(const struct cmd *c, const char *what)
{
	char line[64];

	if (c->yes || !isatty(STDIN_FILENO))
		return 1;
	fprintf(stderr, "%s? [y/N] ", what);
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

/* What a write did, for a person or a program. */
static void
said(const struct cmd *c, const char *done, long id, const char *name)
{
	json_t	*j;
	char	*s;

	if (!c->json) {
		printf("%s %s %ld", done, c->type->word, id);
		if (name != NULL) {
			printf(" \"");
			put_clean(name);
			printf("\"");
		}
		putchar('\n');
		return;
	}
	j = json_pack("{s:s,s:s,s:I,s:s?}", "result", done, "itemtype",
	    c->type->itemtype, "id", (json_int_t)id, "name", name);
	if (j != NULL && (s = json_dumps(j, JSON_COMPACT)) != NULL) {
		printf("%s\n", s);
		free(s);
	}
	json_decref(j);
}

/* The first line of stdin, as the new user's password. */
static int
read_password(char *out, size_t outlen)
{
	size_t n;

	if (fgets(out, (int)outlen, stdin) == NULL)
		return ERR_INVALID;
	n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n == outlen - 1)
		return ERR_TOO_BIG;
	out[n] = '\0';
	return 0;
}

/* POST of one input; the new id in *idp. */
static int
post(struct cmd *c, const char *itemtype, json_t *input, long *idp)
{
	json_t	*body, *ans = NULL;
	int	 rc;

	*idp = 0;
	if ((body = json_pack("{s:O}", "input", input)) == NULL)
		return ERR_NOMEM;
	rc = rest_call(c->rest, "POST", itemtype, body, &ans, &c->err);
	json_decref(body);
	if (rc == 0)
		*idp = (long)json_integer_value(json_object_get(ans, "id"));
	json_decref(ans);
	return rc;
}

static int
purge(struct cmd *c, const char *itemtype, long id)
{
	struct rest_error	e;
	char			path[128];

	snprintf(path, sizeof(path), "%s/%ld?force_purge=true", itemtype, id);
	return rest_call(c->rest, "DELETE", path, NULL, NULL, &e);
}

/* The input of add, from the options; the entities resolved by name. */
static int
add_input(struct cmd *c, json_t *in)
{
	long	id;
	int	rc;

	if (json_object_set_new(in, "name", json_string(c->operand)) != 0)
		return ERR_NOMEM;
	if (c->parent != NULL || c->entity != NULL) {
		if ((rc = resolve(c, "Entity", c->parent != NULL ? c->parent :
		    c->entity, &id)) != 0)
			return rc;
		json_object_set_new(in, "entities_id", json_integer(id));
	}
	if (c->serial != NULL)
		json_object_set_new(in, "serial", json_string(c->serial));
	return 0;
}

/* A user's profile, on its entity: a Profile_User link. */
static int
link_profile(struct cmd *c, long user, long profile, json_t *in)
{
	json_t	*link;
	long	 id;
	int	 rc;

	if ((link = json_pack("{s:I,s:I,s:I,s:b}", "users_id",
	    (json_int_t)user, "profiles_id", (json_int_t)profile,
	    "entities_id", json_integer_value(json_object_get(in,
	    "entities_id")), "is_recursive", c->recursive)) == NULL)
		return ERR_NOMEM;
	rc = post(c, "Profile_User", link, &id);
	json_decref(link);
	return rc;
}

static int
do_add(struct cmd *c)
{
	json_t	*in = json_object();
	char	 password[PASSWORD_MAX], what[512];
	long	 id = 0, profile = 0;
	int	 rc;

	if (in == NULL)
		return api_failed(c, ERR_NOMEM);
	/* Every name is resolved before anything is created. */
	if ((rc = add_input(c, in)) != 0 || (c->profile != NULL &&
	    (rc = resolve(c, "Profile", c->profile, &profile)) != 0))
		goto failed;
	if (strcmp(c->type->word, "user") == 0 && c->password_stdin) {
		if ((rc = read_password(password, sizeof(password))) != 0) {
			fprintf(stderr, "%s: --password-stdin: %s\n", c->prefix,
			    rc == ERR_TOO_BIG ? "the password is too long" :
			    "no password on stdin");
			json_decref(in);
			return 2;
		}
		json_object_set_new(in, "password", json_string(password));
		json_object_set_new(in, "password2", json_string(password));
		explicit_bzero(password, sizeof(password));
	}
	snprintf(what, sizeof(what), "Create %s \"%.256s\"", c->type->word,
	    c->operand);
	if (!confirm(c, what)) {
		fprintf(stderr, "%s: cancelled, nothing changed\n", c->prefix);
		json_decref(in);
		return 1;
	}
	if ((rc = post(c, c->type->itemtype, in, &id)) != 0)
		goto failed;
	if (strcmp(c->type->word, "entity") == 0 &&
	    (rc = apimode_refresh_entities(c->rest, &c->err)) != 0)
		goto failed;
	if (c->profile != NULL && (rc = link_profile(c, id, profile,
	    in)) != 0) {
		/* A user without the profile asked for is not left behind. */
		purge(c, "User", id);
		goto failed;
	}
	said(c, "created", id, c->operand);
	json_decref(in);
	return 0;
failed:
	json_decref(in);
	return api_failed(c, rc);
}

/* FIELD=VALUE into in; digits alone make a number.  0 or ERR_INVALID. */
static int
add_set(json_t *in, const char *set)
{
	const char	*eq = strchr(set, '='), *v;
	char		 field[64], *end;
	long long	 n;
	size_t		 i, len;

	if (eq == NULL || (len = (size_t)(eq - set)) == 0 ||
	    len >= sizeof(field))
		return ERR_INVALID;
	for (i = 0; i < len; i++)
		if (!islower((unsigned char)set[i]) &&
		    !isdigit((unsigned char)set[i]) && set[i] != '_')
			return ERR_INVALID;
	memcpy(field, set, len);
	field[len] = '\0';
	if (strcmp(field, "id") == 0)
		return ERR_INVALID;
	v = eq + 1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*v != '\0' && isdigit((unsigned char)*v) && *end == '\0' &&
	    errno == 0)
		json_object_set_new(in, field, json_integer(n));
	else
		json_object_set_new(in, field, json_string(v));
	return 0;
}

static int
do_update(struct cmd *c)
{
	json_t		*in = json_object(), *body = NULL, *item = NULL;
	const char	*name;
	char		 path[128], what[512];
	long		 id;
	int		 i, rc;

	if (in == NULL)
		return api_failed(c, ERR_NOMEM);
	for (i = 0; i < c->nsets; i++)
		if (add_set(in, c->sets[i]) != 0) {
			fprintf(stderr, "%s: --set %s: FIELD=VALUE, FIELD in "
			    "lower case letters, digits and _, not id\n",
			    c->prefix, c->sets[i]);
			json_decref(in);
			return 2;
		}
	if ((rc = resolve(c, c->type->itemtype, c->operand, &id)) != 0 ||
	    (rc = get_item(c, id, &item)) != 0)
		goto out;
	name = json_string_value(json_object_get(item, "name"));
	snprintf(what, sizeof(what), "Modify %s %ld \"%.256s\"",
	    c->type->word, id, name != NULL ? name : "");
	if (!confirm(c, what)) {
		fprintf(stderr, "%s: cancelled, nothing changed\n", c->prefix);
		json_decref(in);
		json_decref(item);
		return 1;
	}
	if ((body = json_pack("{s:O}", "input", in)) == NULL) {
		rc = ERR_NOMEM;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%ld", c->type->itemtype, id);
	if ((rc = rest_call(c->rest, "PUT", path, body, NULL, &c->err)) ==
	    0)
		said(c, "updated", id, name);
out:
	json_decref(in);
	json_decref(body);
	json_decref(item);
	return rc == 0 ? 0 : api_failed(c, rc);
}

static int
do_delete(struct cmd *c)
{
	json_t		*item = NULL;
	const char	*name;
	char		 path[128], what[512];
	long		 id;
	int		 rc;

	if ((rc = resolve(c, c->type->itemtype, c->operand, &id)) != 0 ||
	    (rc = get_item(c, id, &item)) != 0)
		goto out;
	name = json_string_value(json_object_get(item, "name"));
	snprintf(what, sizeof(what), "%s %s %ld \"%.256s\"", c->purge ?
	    "Purge" : "Delete", c->type->word, id, name != NULL ? name : "");
	if (!confirm(c, what)) {
		fprintf(stderr, "%s: cancelled, nothing changed\n", c->prefix);
		json_decref(item);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%ld?force_purge=%s",
	    c->type->itemtype, id, c->purge ? "true" : "false");
	if ((rc = rest_call(c->rest, "DELETE", path, NULL, NULL, &c->err)) ==
	    0)
		said(c, c->purge ? "purged" : "deleted", id, name);
out:
	json_decref(item);
	return rc == 0 ? 0 : api_failed(c, rc);
}

static void
usage_items(void)
{
	fprintf(stderr, "usage: passeur glpi [-c confdir] computer|user|entity "
	    "list|show|add|update|delete ...\n"
	    "See passeur glpi --help.\n");
}

/* The options of the type's action: 0, or 2 after a usage message. */
static int
parse(struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "yes", no_argument, NULL, 'y' },
		{ "search", required_argument, NULL, 's' },
		{ "parent", required_argument, NULL, 'a' },
		{ "profile", required_argument, NULL, 'p' },
		{ "entity", required_argument, NULL, 'e' },
		{ "recursive", no_argument, NULL, 'R' },
		{ "password-stdin", no_argument, NULL, 'P' },
		{ "serial", required_argument, NULL, 'S' },
		{ "set", required_argument, NULL, 't' },
		{ "purge", no_argument, NULL, 'x' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*allowed;
	size_t		 i;
	int		 ch;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].word, argv[0]) == 0)
			c->type = &types[i];
	for (i = 0; argc > 1 && i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(actions[i].name, argv[1]) == 0)
			c->action = &actions[i];
	if (c->type == NULL || c->action == NULL) {
		usage_items();
		return 2;
	}
	snprintf(c->prefix, sizeof(c->prefix), "passeur glpi %s %s",
	    c->type->word, c->action->name);
	allowed = c->action->options;
	for (i = 0; c->action->id == A_ADD &&
	    i < sizeof(add_by_type) / sizeof(add_by_type[0]); i++)
		if (strcmp(add_by_type[i].word, c->type->word) == 0)
			allowed = add_by_type[i].add_options;
	argc--;
	argv++;
	/* 0, not 1: glibc then forgets the "+" of the caller's options. */
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == '?' || strchr(allowed, ch) == NULL) {
			if (ch != '?')
				fprintf(stderr, "%s: option %s does not apply\n",
				    c->prefix, argv[optind - 1]);
			usage_items();
			return 2;
		}
		switch (ch) {
		case 'j':
			c->json = 1;
			break;
		case 'y':
			c->yes = 1;
			break;
		case 's':
			c->search = optarg;
			break;
		case 'a':
			c->parent = optarg;
			break;
		case 'p':
			c->profile = optarg;
			break;
		case 'e':
			c->entity = optarg;
			break;
		case 'R':
			c->recursive = 1;
			break;
		case 'P':
			c->password_stdin = 1;
			break;
		case 'S':
			c->serial = optarg;
			break;
		case 'x':
			c->purge = 1;
			break;
		case 't':
			if (c->nsets == MAX_SETS) {
				fprintf(stderr, "%s: at most %d --set\n",
				    c->prefix, MAX_SETS);
				return 2;
			}
			c->sets[c->nsets++] = optarg;
			break;
		}
	}
	if (argc - optind != c->action->operands) {
		fprintf(stderr, "%s: %s\n", c->prefix, c->action->operands == 0 ?
		    "takes no operand" : c->action->id == A_ADD ? "one NAME" :
		    "one ID or NAME");
		return 2;
	}
	if (c->action->operands == 1)
		c->operand = argv[optind];
	if (c->action->id == A_UPDATE && c->nsets == 0) {
		fprintf(stderr, "%s: nothing to change: give --set "
		    "FIELD=VALUE\n", c->prefix);
		return 2;
	}
	if (c->operand != NULL && *c->operand == '\0') {
		fprintf(stderr, "%s: an empty name\n", c->prefix);
		return 2;
	}
	return 0;
}

static int
run(struct cmd *c)
{
	struct apimode	m;
	int		rc;

	if ((rc = rest_open(&c->conf, &c->rest, &c->err)) != 0)
		return api_failed(c, rc);
	if (c->action->writes) {
		if ((rc = apimode_resolve(c->rest, c->conf.mode, &m,
		    &c->err)) != 0)
			return api_failed(c, rc);
		if (m.mode == GLPI_MODE_READ_ONLY)
			return refuse(c, &m);
	}
	switch (c->action->id) {
	case A_LIST:
		return do_list(c);
	case A_SHOW:
		return do_show(c);
	case A_ADD:
		return do_add(c);
	case A_UPDATE:
		return do_update(c);
	default:
		return do_delete(c);
	}
}

int
items_main(const char *confdir, int argc, char **argv)
{
	struct cmd	*c;
	int		 status;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		fprintf(stderr, "passeur glpi: out of memory\n");
		return 1;
	}
	if ((status = parse(c, argc, argv)) == 0) {
		if (glpi_conf_load(confdir, &c->conf) != 0)
			status = 1;
		/* Read-only by configuration: refused before any request. */
		else if (c->action->writes &&
		    c->conf.mode == GLPI_MODE_READ_ONLY)
			status = refuse(c, NULL);
		else
			status = run(c);
	}
	rest_close(c->rest);
	explicit_bzero(&c->conf, sizeof(c->conf));
	free(c);
	return status;
}
