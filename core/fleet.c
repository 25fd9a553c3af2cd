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
#include <time.h>

#include "fleet.h"

struct pool {
	const struct expect_opts *t;
	size_t n, next;
	const struct fleet_opts *o;
	double deadline;	/* monotonic seconds; 0: none */
	json_t **docs;
	pthread_mutex_t lock;
	int oom;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

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
		double left = 0;

		pthread_mutex_lock(&p->lock);
		if (p->next >= p->n) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		one = p->t[i];
		if (p->deadline > 0) {
			left = p->deadline - now_s();
			/* each wait of the audit ends by the deadline */
			if (left > 0 && one.audit.conn.connect_timeout_ms >
			    left * 1000)
				one.audit.conn.connect_timeout_ms =
				    one.audit.conn.reply_timeout_ms =
				    (int)(left * 1000) + 1;
		}
		if (p->deadline > 0 && left <= 0)
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
	struct pool p = { t, n, 0, o, 0, NULL, PTHREAD_MUTEX_INITIALIZER, 0 };
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
	if (o->deadline_s > 0)
		p.deadline = now_s() + o->deadline_s;
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
