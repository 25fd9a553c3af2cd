/*
 * fleet - the worker pool of a many-target audit.  Workers take the next
 * target under a mutex, audit it with their own transport handles, and
 * file the document by index; the callback runs under the same mutex, so
 * callers never see two at once.  Owns the result array it returns.
 * Never prints.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>

#include "fleet.h"

struct pool {
	const struct expect_opts *t;
	size_t n, next;
	const struct fleet_opts *o;
	json_t **docs;
	pthread_mutex_t lock;
	int oom;
};

/* unstarted - the document of a target the deadline left out */
static json_t *unstarted(const struct expect_opts *t)
{
	return audit_unknown(t->audit.target, t->audit.conn.host,
	    t->audit.conn.port, "the deadline passed before the audit of this "
	    "target started");
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct expect_opts one;
		size_t i;
		json_t *doc;
		bool late = false;

		pthread_mutex_lock(&p->lock);
		if (p->next >= p->n) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		one = p->t[i];
		if (p->o->deadline_ms > 0) {
			one.audit.conn.deadline_ms = p->o->deadline_ms;
			late = transport_now_ms() >= p->o->deadline_ms;
		}
		if (late)
			doc = unstarted(&one);
		else if (one.phase == PHASE_CUSTOM)
			doc = audit_run(&one.audit);
		else
			doc = expect_run(&one);
		pthread_mutex_lock(&p->lock);
		if (doc == NULL)
			p->oom = 1;
		p->docs[i] = doc;
		if (doc != NULL && p->o->done != NULL)
			p->o->done(p->o->ctx, i, doc);
		pthread_mutex_unlock(&p->lock);
	}
}

enum relay_err fleet_run(const struct expect_opts *t, size_t n,
    const struct fleet_opts *o, json_t **out)
{
	struct pool p = { t, n, 0, o, NULL, PTHREAD_MUTEX_INITIALIZER, 0 };
	pthread_t *th;
	unsigned jobs = o->jobs ? o->jobs : 1, started = 0, k;
	size_t i;

	*out = NULL;
	if (jobs > n)
		jobs = n > 0 ? (unsigned)n : 1;
	if ((p.docs = calloc(n + 1, sizeof(*p.docs))) == NULL ||
	    (th = calloc(jobs, sizeof(*th))) == NULL) {
		free(p.docs);
		return RELAY_ENOMEM;
	}
	for (k = 0; k < jobs; k++) {
		if (pthread_create(&th[k], NULL, worker, &p) != 0)
			break;
		started++;
	}
	if (started == 0 && n > 0)
		worker(&p);	/* no thread: do the work here */
	for (k = 0; k < started; k++)
		pthread_join(th[k], NULL);
	free(th);
	if (p.oom || (*out = json_array()) == NULL) {
		for (i = 0; i < n; i++)
			json_decref(p.docs[i]);
		free(p.docs);
		return RELAY_ENOMEM;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(*out, p.docs[i]);
	free(p.docs);
	return RELAY_OK;
}
