/*
 * state - load, compare and save the results of an audit run.  A target's
 * state is its verdict, its reason and its findings (ID and severity, not
 * the message, whose details vary from run to run).  Owns the JSON it
 * returns.  Never prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"
#include "state.h"

static const char *jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

enum relay_err state_load(const char *path, json_t **out,
    struct relay_diag *diag)
{
	json_error_t e;
	json_t *doc, *targets;

	*out = NULL;
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		*out = json_pack("{s:s, s:{}}", "schema", STATE_SCHEMA,
		    "targets");
		return *out != NULL ? RELAY_OK : RELAY_ENOMEM;
	}
	if ((doc = json_load_file(path, JSON_REJECT_DUPLICATES, &e)) == NULL)
		return relay_diagf(diag, e.line > 0 ? RELAY_EINVAL : RELAY_EIO,
		    "state file '%s' line %d: %s", path, e.line, e.text);
	targets = json_object_get(doc, "targets");
	if (strcmp(jstr(doc, "schema"), STATE_SCHEMA) != 0 ||
	    !json_is_object(targets)) {
		json_decref(doc);
		return relay_diagf(diag, RELAY_EINVAL, "'%s' is not a relayctl "
		    "state file (schema %s)", path, STATE_SCHEMA);
	}
	*out = doc;
	return RELAY_OK;
}

/* summary - the state of one audited target */
static json_t *summary(const json_t *t)
{
	json_t *f = json_array(), *x;
	size_t i;

	json_array_foreach(json_object_get(t, "findings"), i, x) {
		if (strcmp(jstr(x, "severity"), "ok") == 0)
			continue;
		json_array_append_new(f, json_pack("{s:s, s:s}", "id",
		    jstr(x, "id"), "severity", jstr(x, "severity")));
	}
	return json_pack("{s:s, s:s?, s:o}", "verdict", jstr(t, "verdict"),
	    "reason", json_string_value(json_object_get(t, "reason")),
	    "findings", f);
}

static void change(json_t *out, const char *target, const char *kind,
    const char *from, const char *to, const char *finding,
    const char *severity, const char *detail);

/* count - how many findings of A have X's ID and severity */
static size_t count(const json_t *a, const json_t *x)
{
	const json_t *y;
	size_t i, n = 0;

	json_array_foreach(a, i, y)
		n += strcmp(jstr(y, "id"), jstr(x, "id")) == 0 &&
		    strcmp(jstr(y, "severity"), jstr(x, "severity")) == 0;
	return n;
}

/* diff - each finding of A not matched in B (repeats counted) as KIND */
static void diff(json_t *out, const char *target, const json_t *a,
    const json_t *b, const char *kind)
{
	const json_t *x;
	size_t i, k, seen;

	json_array_foreach(a, i, x) {
		/* the k-th copy of X in A is new if B has fewer than k */
		for (k = 0, seen = 0; k < i; k++)
			seen += strcmp(jstr(json_array_get(a, k), "id"),
			    jstr(x, "id")) == 0 && strcmp(jstr(json_array_get(a,
			    k), "severity"), jstr(x, "severity")) == 0;
		if (seen < count(b, x))
			continue;
		change(out, target, kind, NULL, NULL, jstr(x, "id"),
		    jstr(x, "severity"), NULL);
	}
}

/* change - append one change */
static void change(json_t *out, const char *target, const char *kind,
    const char *from, const char *to, const char *finding,
    const char *severity, const char *detail)
{
	json_array_append_new(out, json_pack("{s:s, s:s, s:s?, s:s?, s:s?, "
	    "s:s?, s:s?}", "target", target, "change", kind, "from", from,
	    "to", to, "finding", finding, "severity", severity, "detail",
	    detail));
}

json_t *state_changes(const json_t *prev, const json_t *all)
{
	json_t *out = json_array();
	const json_t *old = json_object_get(prev, "targets"), *t, *x;
	const char *name;
	size_t i;
	json_t *seen = json_object();

	if (out == NULL || seen == NULL) {
		json_decref(out);
		json_decref(seen);
		return NULL;
	}
	json_array_foreach(all, i, t) {
		const char *target = jstr(t, "target");
		const json_t *was = json_object_get(old, target);
		json_t *now = summary(t);
		const char *v0, *v1 = jstr(now, "verdict"), *kind;
		json_object_set_new(seen, target, json_true());
		if (was == NULL) {
			change(out, target, "new-target", NULL, v1, NULL, NULL,
			    NULL);
			json_decref(now);
			continue;
		}
		v0 = jstr(was, "verdict");
		if (strcmp(v0, v1) != 0) {
			kind = strcmp(v1, "open") == 0 ? "newly-open" :
			    strcmp(v0, "open") == 0 && strcmp(v1, "closed") == 0 ?
			    "fixed" : strcmp(v1, "unknown") == 0 ? "unreachable" :
			    strcmp(v0, "unknown") == 0 ? "reachable" : "verdict";
			change(out, target, kind, v0, v1, NULL, NULL,
			    json_string_value(json_object_get(now, "reason")));
		}
		diff(out, target, json_object_get(now, "findings"),
		    json_object_get(was, "findings"), "new-finding");
		diff(out, target, json_object_get(was, "findings"),
		    json_object_get(now, "findings"), "cleared-finding");
		json_decref(now);
	}
	json_object_foreach((json_t *)old, name, x)
		if (json_object_get(seen, name) == NULL)
			change(out, name, "dropped-target", jstr(x, "verdict"),
			    NULL, NULL, NULL, NULL);
	json_decref(seen);
	return out;
}

enum relay_err state_save(struct safefile_lock *held, const char *path,
    const json_t *all, const char *when, struct relay_diag *diag)
{
	struct safefile_lock *lock = held;
	struct safefile_diag sd;
	json_t *doc, *targets = json_object();
	const json_t *t;
	char *text = NULL;
	enum relay_err err;
	size_t i;
	int fd;

	if (targets == NULL)
		return RELAY_ENOMEM;
	json_array_foreach(all, i, t)
		json_object_set_new(targets, jstr(t, "target"), summary(t));
	doc = json_pack("{s:s, s:s, s:o}", "schema", STATE_SCHEMA, "written",
	    when, "targets", targets);
	if (doc == NULL || (text = json_dumps(doc, JSON_INDENT(2) |
	    JSON_SORT_KEYS)) == NULL) {
		json_decref(doc);
		return RELAY_ENOMEM;
	}
	json_decref(doc);
	if (lock == NULL && (err = safefile_lock(path, 10000, &lock, &sd)) !=
	    RELAY_OK) {
		free(text);
		return relay_diagf(diag, err, "%s", sd.msg);
	}
	/* The first run: an empty file to replace, readable by root only. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd >= 0)
		close(fd);
	else if (errno != EEXIST) {
		err = relay_diagf(diag, RELAY_EIO, "cannot create the state file "
		    "'%s': %s", path, strerror(errno));
		goto out;
	}
	{
		size_t n = strlen(text);
		char *line = realloc(text, n + 2);
		if (line == NULL) {
			err = RELAY_ENOMEM;
			goto out;
		}
		text = line;
		memcpy(text + n, "\n", 2);
	}
	err = safefile_replace(lock, path, text, strlen(text), NULL, 0, NULL,
	    &sd);
	if (err != RELAY_OK)
		relay_diagf(diag, err, "%s", sd.msg);
out:
	if (held == NULL)
		safefile_unlock(lock);
	free(text);
	return err;
}
