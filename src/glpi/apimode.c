/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "glpi/apimode.h"

/* The id of the writer's profile among the user's, or 0 (GLPI's ids
 * start at 1). */
static json_int_t
writer_profile(json_t *mine)
{
	json_t	*p;
	size_t	 i;

	json_array_foreach(json_object_get(mine, "myprofiles"), i, p)
		if (json_is_string(json_object_get(p, "name")) &&
		    strcmp(json_string_value(json_object_get(p, "name")),
		    APIMODE_WRITER) == 0)
			return json_integer_value(json_object_get(p, "id"));
	return 0;
}

static int
read_entities(struct rest *r, struct apimode *m, struct rest_error *e)
{
	json_t	*j = NULL, *v;
	size_t	 i;
	int	 rc;

	if ((rc = rest_call(r, "GET", "getMyEntities?is_recursive=true", NULL,
	    &j, e)) != 0)
		return rc;
	m->nentities = (long)json_array_size(json_object_get(j,
	    "myentities"));
	json_array_foreach(json_object_get(j, "myentities"), i, v)
		if (json_integer_value(json_object_get(v, "id")) == 0)
			m->root = 1;
	json_decref(j);
	return 0;
}

int
apimode_resolve(struct rest *r, enum glpi_mode configured, struct apimode *m,
    struct rest_error *e)
{
	json_t		*active = NULL, *mine = NULL, *body = NULL;
	const char	*name;
	json_int_t	 writer;
	int		 rc;

	memset(m, 0, sizeof(*m));
	m->nentities = -1;
	m->mode = configured;
	if (configured != GLPI_MODE_AUTO) {
		m->forced = 1;
		return 0;
	}
	if ((rc = rest_call(r, "GET", "getActiveProfile", NULL, &active,
	    e)) != 0)
		goto out;
	name = json_string_value(json_object_get(json_object_get(active,
	    "active_profile"), "name"));
	snprintf(m->profile, sizeof(m->profile), "%s", name != NULL ? name :
	    "");
	if (strcmp(m->profile, APIMODE_WRITER) != 0) {
		if ((rc = rest_call(r, "GET", "getMyProfiles", NULL, &mine,
		    e)) != 0)
			goto out;
		if ((writer = writer_profile(mine)) > 0) {
			body = json_pack("{s:I}", "profiles_id", writer);
			if (body == NULL) {
				rc = ERR_NOMEM;
				goto out;
			}
			if ((rc = rest_call(r, "POST", "changeActiveProfile",
			    body, NULL, e)) != 0)
				goto out;
			snprintf(m->profile, sizeof(m->profile), "%s",
			    APIMODE_WRITER);
		}
	}
	m->mode = strcmp(m->profile, APIMODE_WRITER) == 0 ?
	    GLPI_MODE_SUPER_ADMIN : GLPI_MODE_READ_ONLY;
	rc = read_entities(r, m, e);
out:
	json_decref(active);
	json_decref(mine);
	json_decref(body);
	return rc;
}

int
apimode_refresh_entities(struct rest *r, struct rest_error *e)
{
	json_t		*j = NULL, *body = NULL;
	json_int_t	 id;
	int		 rc;

	if ((rc = rest_call(r, "GET", "getActiveEntities", NULL, &j, e)) != 0)
		return rc;
	id = json_integer_value(json_object_get(json_object_get(j,
	    "active_entities"), "active_entity"));
	json_decref(j);
	if ((body = json_pack("{s:I,s:b}", "entities_id", id, "is_recursive",
	    1)) == NULL)
		return ERR_NOMEM;
	rc = rest_call(r, "POST", "changeActiveEntities", body, NULL, e);
	json_decref(body);
	return rc;
}
