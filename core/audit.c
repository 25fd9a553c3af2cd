/*
 * audit - the battery over as few connections as the server's error limits
 * allow (MAIL, RCPT and RSET pipelined when PIPELINING is offered), the
 * classification of every reply, findings and the verdict.  Owns the JSON
 * it builds.  Never prints; never sends DATA (every command goes through
 * the session layer's guard).
 */
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "audit.h"
#include "battery.h"
#include "policy.h"
#include "vantage.h"

/* line_of - the reply as one line for the report: the last line */
static json_t *line_of(const struct smtp_reply *r)
{
	if (r->nlines == 0)
		return json_null();
	return json_string(r->lines[r->nlines - 1]);
}

/* caps_json - capabilities as JSON */
static json_t *caps_json(const struct smtp_caps *c)
{
	json_t *auth = json_array();

	if (auth != NULL && c->auth_list[0] != '\0') {
		char list[256], *save = NULL, *w;
		snprintf(list, sizeof(list), "%s", c->auth_list);
		for (w = strtok_r(list, " ", &save); w != NULL;
		    w = strtok_r(NULL, " ", &save))
			json_array_append_new(auth, json_string(w));
	}
	return json_pack("{s:b, s:b, s:b, s:I, s:o}", "pipelining",
	    c->pipelining, "starttls", c->starttls, "chunking", c->chunking,
	    "size", (json_int_t)c->size, "auth", auth);
}

/* server_name - the first word of the banner text */
static void server_name(const char *banner, char *out, size_t len)
{
	snprintf(out, len, "%.*s", (int)strcspn(banner, " \t"), banner);
}

/* local_domain - S without its first label, when that leaves a domain */
static void local_domain(const char *s, char *out, size_t len)
{
	const char *dot = strchr(s, '.');

	if (dot != NULL && strchr(dot + 1, '.') != NULL)
		snprintf(out, len, "%s", dot + 1);
	else
		snprintf(out, len, "%s", s);
}

/* kind_name - the schema's name of a test kind */
static const char *kind_name(enum test_kind k)
{
	return k == TEST_LOCAL ? "local" : k == TEST_PROBE ? "probe" : "relay";
}

/* classify - what RCPT reply R means for test T */
static const char *classify(const struct battery_test *t, int code)
{
	if (t->kind == TEST_PROBE)
		return code >= 200 && code < 300 ? "accepted" : "refused";
	if (t->kind == TEST_LOCAL)
		return code >= 200 && code < 300 ? "accepted" :
		    code >= 400 && code < 500 ? "deferred" : "refused";
	if (code >= 200 && code < 300)
		return "relayed";
	return code >= 400 && code < 500 ? "deferred" : "denied";
}

/*
 * The battery runs as jobs: a run of tests the server may refuse at most
 * PER times, or one AUTH test.  Each job opens its own connections, so
 * that jobs can run side by side (audit_opts.connections of them at a
 * time) and no connection collects more refusals than the server's error
 * limits allow.  A job keeps its results; they are merged in job order, so
 * the tests and their results come out the same however the jobs were
 * spread, as long as the server answers the same (where batches split may
 * differ: a refused MAIL FROM halves the batches started after it).  A server that refuses a further connection
 * (no greeting, a 421) gets fewer: the job goes back to the queue and its
 * worker stops, down to one connection at a time.
 */
struct job {
	size_t first, n;		/* battery tests [first, first + n) */
	const char *mech;		/* an AUTH test's mechanism; else NULL */
	const char *user, *pass;	/* AUTH: the credentials, NULL: bogus */
	int offered;			/* AUTH: the server offers MECH */
	struct session *s;
	struct transport_info info;	/* of the job's last connection */
	json_t *tests, *transcript;
	size_t rows;			/* battery tests with a row */
	size_t ran;			/* ... with a reply to their RCPT */
	size_t retried;			/* 1 + the test retried after a 421 */
	bool mail_refused;		/* a MAIL FROM was refused, so its RCPT
					 * too: later batches are halved */
	char reason[600];		/* why the job stopped, if it did */
	int fatal;
};

struct pool {
	const struct audit_opts *o;
	const struct battery_vars *v;
	const struct battery_test *tests;
	unsigned per;			/* refusals per connection */
	struct job *jobs;
	size_t njobs, next;
	struct job **again;		/* jobs given back, to take first */
	size_t nagain;
	unsigned active;		/* workers still taking jobs */
	pthread_mutex_t lock;
	bool stop;			/* a job lost its server: start no more */
	bool mail_refused;		/* a job met a refused MAIL FROM */
};

/* end_session - QUIT (unless it was pipelined) and close, if open */
static void end_session(struct job *j)
{
	if (j->s == NULL)
		return;
	session_close(j->s);
	j->s = NULL;
}

/* copy_transcript - append the session's transcript to J's */
static void copy_transcript(struct job *j)
{
	const struct strlist *l;
	size_t i;

	if (j->s == NULL)
		return;
	l = session_transcript(j->s);
	for (i = 0; i < l->n; i++)
		json_array_append_new(j->transcript, json_string(l->v[i]));
	json_array_append_new(j->transcript, json_string("-- connection end"));
}

/* connect_job - a new session for J; -1 with J's reason set when the
 * server cannot be reached or does not greet with 220 (closed again) */
static int connect_job(const struct audit_opts *o, struct job *j)
{
	struct relay_diag d = { "" };
	enum relay_err err;

	err = session_open(o->ops, &o->conn, &j->s, &j->info, &d);
	if (err != RELAY_OK) {
		snprintf(j->reason, sizeof(j->reason), "%s: %s",
		    relay_strerror(err), d.msg);
		j->s = NULL;
		return -1;
	}
	if (j->info.banner_code != 220) {
		snprintf(j->reason, sizeof(j->reason), "the server greeted with "
		    "%d %s", j->info.banner_code, j->info.banner);
		copy_transcript(j);
		end_session(j);
		return -1;
	}
	return 0;
}

/* give_back - put J back for another worker when one is still taking
 * jobs; true when this worker should stop (one connection fewer) */
static bool give_back(struct pool *p, struct job *j)
{
	bool back = false;

	pthread_mutex_lock(&p->lock);
	if (p->active > 1 && !p->stop) {
		p->again[p->nagain++] = j;
		p->active--;
		back = true;
	}
	pthread_mutex_unlock(&p->lock);
	return back;
}

/* record - T's row from its MAIL reply and RCPT reply (NULL: not sent) */
static void record(struct job *j, const struct battery_test *t,
    const struct smtp_reply *mail, const struct smtp_reply *rcpt)
{
	const char *result;

	if (mail->code >= 400 || rcpt == NULL)
		result = "untested";	/* MAIL FROM refused: RCPT not tried */
	else
		result = classify(t, rcpt->code);
	json_array_append_new(j->tests, json_pack("{s:s, s:s, s:s, s:s, s:s, "
	    "s:o, s:o, s:s}", "id", t->id, "description", t->desc, "kind",
	    kind_name(t->kind), "mail_from", t->from,
	    "rcpt_to", t->rcpt, "mail_reply", line_of(mail),
	    "rcpt_reply", rcpt != NULL ? line_of(rcpt) : json_null(),
	    "result", result));
	j->rows++;
	if (mail->code < 400 && rcpt != NULL)
		j->ran++;
	if (mail->code >= 400 && mail->code != 421)
		j->mail_refused = true;
}

/* closing - test K (the FIRST of its connection or not) met a 421: the
 * server is closing.  2 when it refuses service at once, 1 to try the
 * test again on a new connection (once), 0 to record it as it is. */
static int closing(struct job *j, size_t k, bool first, bool mail421)
{
	if (first && mail421)
		return 2;
	if (j->retried == k + 1)
		return 0;
	j->retried = k + 1;
	return 1;
}

/* span - the end of the run of tests from K (END at most, one test at
 * least) that the server may refuse BUDGET times: a test for a local
 * recipient should be accepted, every other one may be refused */
static size_t span(const struct battery_test *tests, size_t k, size_t end,
    unsigned budget)
{
	unsigned cost = 0;
	size_t i;

	for (i = k; i < end; i++) {
		cost += tests[i].kind != TEST_LOCAL;
		if (cost > budget && i > k)
			break;
	}
	return i;
}

/* batch_budget - the refusals the next batch of J may meet: half as
 * many once a MAIL FROM was refused, in this job or another (its RCPT is
 * refused too), so that errors stay below the server's limit */
static unsigned batch_budget(struct pool *p, const struct job *j)
{
	bool halve;

	pthread_mutex_lock(&p->lock);
	halve = p->mail_refused || j->mail_refused;
	pthread_mutex_unlock(&p->lock);
	return halve && p->per > 1 ? p->per / 2 : p->per;
}

/* run_pipelined - tests [*K, END) in one write: MAIL, RCPT and RSET each,
 * then QUIT; *K moves past the tests with a row.  0 when all ran, 1 when
 * the server is closing (421), 2 when it refused service at the first
 * reply, -1 when the connection was lost. */
static int run_pipelined(struct pool *p, struct job *j, size_t *k, size_t end)
{
	size_t n = end - *k, ncmd = 3 * n + 1, done = 0, i, c;
	const char **cmds = calloc(ncmd, sizeof(*cmds));
	char (*lines)[340] = calloc(2 * n, sizeof(*lines));
	struct smtp_reply *rep = calloc(ncmd, sizeof(*rep));
	struct relay_diag d = { "" };
	const struct battery_test *t;
	int rc = 0, cl;

	if (cmds == NULL || lines == NULL || rep == NULL) {
		snprintf(j->reason, sizeof(j->reason), "out of memory");
		rc = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		t = &p->tests[*k + i];
		snprintf(lines[2 * i], sizeof(lines[0]), "MAIL FROM:%s", t->from);
		snprintf(lines[2 * i + 1], sizeof(lines[0]), "RCPT TO:%s", t->rcpt);
		cmds[3 * i] = lines[2 * i];
		cmds[3 * i + 1] = lines[2 * i + 1];
		cmds[3 * i + 2] = "RSET";
	}
	cmds[3 * n] = "QUIT";
	/* An error ends the reading; the replies read so far count. */
	(void)session_pipeline(j->s, cmds, ncmd, rep, &done, &d);
	for (i = 0; i < n && rc == 0; i++) {
		c = 3 * i;
		t = &p->tests[*k];
		if (done > c && (rep[c].code == 421 ||
		    (done > c + 1 && rep[c + 1].code == 421))) {
			cl = closing(j, *k, i == 0, rep[c].code == 421);
			if (cl > 0) {
				snprintf(j->reason, sizeof(j->reason), "the server "
				    "closed the connection at %s: %s", t->id,
				    rep[c].code == 421 ? rep[c].lines[0] :
				    rep[c + 1].lines[0]);
				rc = cl;
				break;
			}
			record(j, t, &rep[c], done > c + 1 ? &rep[c + 1] : NULL);
			(*k)++;
			rc = 1;
			break;
		}
		if (done < c + 2) {
			snprintf(j->reason, sizeof(j->reason), "connection lost at "
			    "%s: %s", t->id, d.msg[0] ? d.msg : "no reply");
			rc = -1;
			break;
		}
		record(j, t, &rep[c], &rep[c + 1]);
		(*k)++;
		if (done > c + 2 && rep[c + 2].code == 421)
			rc = 1;
	}
out:
	for (i = 0; rep != NULL && i < done; i++)
		smtp_reply_release(&rep[i]);
	free(rep);
	free(lines);
	free(cmds);
	return rc;
}

/* run_serial - as run_pipelined, one command at a time (no PIPELINING),
 * with no RCPT after a refused MAIL; the QUIT is session_close()'s */
static int run_serial(struct pool *p, struct job *j, size_t *k, size_t end)
{
	char mail[340], rcpt[340];
	struct smtp_reply rep[3];
	struct relay_diag d = { "" };
	const struct battery_test *t = &p->tests[*k];
	enum relay_err err = RELAY_OK;
	size_t start = *k;
	int rc = 0, cl;
	bool sent_rcpt;

	for (; *k < end && rc == 0; ) {
		t = &p->tests[*k];
		memset(rep, 0, sizeof(rep));
		snprintf(mail, sizeof(mail), "MAIL FROM:%s", t->from);
		snprintf(rcpt, sizeof(rcpt), "RCPT TO:%s", t->rcpt);
		if ((err = session_command(j->s, mail, &rep[0], &d)) != RELAY_OK)
			break;
		sent_rcpt = rep[0].code < 400;
		if (sent_rcpt && (err = session_command(j->s, rcpt, &rep[1],
		    &d)) != RELAY_OK) {
			smtp_reply_release(&rep[0]);
			break;
		}
		if (rep[0].code == 421 || (sent_rcpt && rep[1].code == 421)) {
			cl = closing(j, *k, *k == start, rep[0].code == 421);
			if (cl == 0) {
				record(j, t, &rep[0], sent_rcpt ? &rep[1] : NULL);
				(*k)++;
			} else {
				snprintf(j->reason, sizeof(j->reason), "the server "
				    "closed the connection at %s: %s", t->id,
				    rep[0].code == 421 ? rep[0].lines[0] :
				    rep[1].lines[0]);
			}
			rc = cl == 2 ? 2 : 1;
		} else {
			record(j, t, &rep[0], sent_rcpt ? &rep[1] : NULL);
			(*k)++;
			if (session_command(j->s, "RSET", &rep[2], &d) == RELAY_OK) {
				if (rep[2].code == 421)
					rc = 1;
				smtp_reply_release(&rep[2]);
			}
		}
		smtp_reply_release(&rep[0]);
		smtp_reply_release(&rep[1]);
	}
	if (err != RELAY_OK) {
		snprintf(j->reason, sizeof(j->reason), "connection lost at %s: "
		    "%s", t->id, d.msg);
		return -1;
	}
	return rc;
}

/* refused - the server refused J's connection (or service at once): 1
 * when J went back to the queue, 0 to try once more (alone, the others
 * may have just closed; *AGAIN says it is left), -1 when J must stop */
static int refused(struct pool *p, struct job *j, bool *again)
{
	if (give_back(p, j))
		return 1;
	if (*again) {
		*again = false;
		return 0;
	}
	return -1;
}

/* run_chunk - job J's battery tests from where it stands, a batch per
 * connection; a 421 moves the rest to a new connection, a lost one
 * stops the job.  False when J was given back to the queue. */
static bool run_chunk(struct pool *p, struct job *j)
{
	size_t k = j->first + j->rows, end = j->first + j->n, stop;
	int rc, r = 0;
	bool again = true;	/* alone, a refused connection is tried again
				 * once: the others may have just closed */

	while (k < end) {
		r = 0;
		if (j->s == NULL && connect_job(p->o, j) != 0) {
			if ((r = refused(p, j, &again)) > 0)
				return false;
			if (r < 0)
				break;
			continue;
		}
		stop = span(p->tests, k, end, batch_budget(p, j));
		if (j->info.caps.pipelining)
			rc = run_pipelined(p, j, &k, stop);
		else
			rc = run_serial(p, j, &k, stop);
		copy_transcript(j);
		end_session(j);
		if (j->mail_refused) {
			pthread_mutex_lock(&p->lock);
			p->mail_refused = true;
			pthread_mutex_unlock(&p->lock);
		}
		if (rc == 2) {
			if ((r = refused(p, j, &again)) > 0)
				return false;
			if (r < 0)
				break;
			continue;
		}
		if (rc < 0) {
			j->fatal = 1;
			break;
		}
		if (rc == 0)
			j->reason[0] = '\0';	/* a 421 was overcome */
	}
	if (r < 0)
		j->fatal = 1;
	return true;
}

/* auth_names - the ID, description and kind of AUTH job J */
static const char *auth_names(const struct job *j, char *id, size_t len,
    const char **kind)
{
	snprintf(id, len, "AUTH-%s-%s", !j->offered ? "UNOFFERED" :
	    j->user != NULL ? "USER" : "BOGUS", j->mech);
	*kind = j->offered && j->user != NULL ? "auth-user" : "auth-bogus";
	return !j->offered ? "a mechanism the server does not offer must not "
	    "work" : j->user != NULL ? "the real credentials must work and "
	    "allow relay" : "bogus credentials must fail and must not unlock "
	    "relay";
}

/* auth_test - job J: one AUTH on a fresh connection, then an external
 * RCPT: with bogus credentials (J->user NULL) the AUTH must fail and must
 * not unlock relay; with the real ones it must work and allow relay.
 * False when J was given back to the queue. */
static bool auth_test(struct pool *p, struct job *j)
{
	const struct battery_vars *v = p->v;
	const char *user = j->user, *pass = j->pass, *kind, *desc;
	char id[48], mail[340], rcpt[340], bogus[40];
	const char *cmds[4] = { mail, rcpt, "RSET", "QUIT" };
	struct smtp_reply rep[4];
	struct relay_diag d = { "" };
	size_t done = 0, i;
	int code = 0;
	const char *result;
	char authline[64];
	bool tls = false;

	bogus[0] = '\0';
	desc = auth_names(j, id, sizeof(id), &kind);
	snprintf(mail, sizeof(mail), "MAIL FROM:<%s@%s>", v->sender, v->external);
	snprintf(rcpt, sizeof(rcpt), "RCPT TO:<%s@%s>", v->user, v->external);
	if (user == NULL) {
		/* A password nobody has: different on every run. */
		unsigned salt = 0;
		/* getrandom: thread-safe, unlike rand(), in a fleet's workers */
		if (getrandom(&salt, sizeof(salt), 0) != (ssize_t)sizeof(salt))
			salt = (unsigned)transport_now_ms();
		snprintf(bogus, sizeof(bogus), "bogus-%lx-%x", (long)time(NULL),
		    salt);
		user = "relayctl-bogus";
		pass = bogus;
	}
	memset(rep, 0, sizeof(rep));
	if (connect_job(p->o, j) != 0) {
		if (give_back(p, j)) {
			explicit_bzero(bogus, sizeof(bogus));
			return false;
		}
		/* alone now: once more, the others may have just closed */
		if (connect_job(p->o, j) != 0) {
			result = "untested";	/* the battery ran; this did not */
			goto record;
		}
	}
	tls = j->info.tls;
	if (session_auth(j->s, j->mech, user, pass, &code, &d) != RELAY_OK) {
		result = "untested";
		goto close;
	}
	if (code == 235)
		session_pipeline(j->s, cmds, 4, rep, &done, &d);
	if (strcmp(kind, "auth-bogus") == 0)
		result = code != 235 ? "denied" : done >= 2 &&
		    rep[1].code / 100 == 2 ? "relayed" : "accepted";
	else
		result = code == 235 && done >= 2 && rep[1].code / 100 == 2 ?
		    "accepted" : "refused";
close:
	copy_transcript(j);
	end_session(j);
record:
	snprintf(authline, sizeof(authline), "AUTH %s -> %d", j->mech, code);
	json_array_append_new(j->tests, json_pack("{s:s, s:s, s:s, s:s, s:s, "
	    "s:s, s:o, s:s, s:s, s:b}", "id", id, "description", desc, "kind",
	    kind, "mail_from", mail + 10, "rcpt_to", rcpt + 8, "mail_reply",
	    authline, "rcpt_reply", done >= 2 ? line_of(&rep[1]) : json_null(),
	    "result", result, "credentials", pass == bogus ? "bogus" : "real",
	    "tls", tls));
	for (i = 0; i < done; i++)
		smtp_reply_release(&rep[i]);
	explicit_bzero(bogus, sizeof(bogus));
	return true;
}

/* worker - take jobs until none is left, a job lost the server, or this
 * worker's job was given back */
static void *worker(void *arg)
{
	struct pool *p = arg;
	struct job *j;
	bool kept;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		if (p->stop || (p->nagain == 0 && p->next >= p->njobs)) {
			p->active--;
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		j = p->nagain > 0 ? p->again[--p->nagain] : &p->jobs[p->next++];
		pthread_mutex_unlock(&p->lock);
		kept = j->mech != NULL ? auth_test(p, j) : run_chunk(p, j);
		if (!kept)
			return NULL;	/* given back: one connection fewer */
		if (j->fatal) {
			pthread_mutex_lock(&p->lock);
			p->stop = true;
			pthread_mutex_unlock(&p->lock);
		}
	}
}

/* run_jobs - the pool's jobs on up to WORKERS connections at once: this
 * thread and WORKERS - 1 more */
static void run_jobs(struct pool *p, unsigned workers)
{
	pthread_t th[AUDIT_MAX_CONNECTIONS];
	unsigned k, started = 0;

	if (workers > AUDIT_MAX_CONNECTIONS)
		workers = AUDIT_MAX_CONNECTIONS;
	if (workers > p->njobs)
		workers = p->njobs > 0 ? (unsigned)p->njobs : 1;
	p->active = workers;	/* before any starts: each counts itself out */
	for (k = 1; k < workers; k++) {
		if (pthread_create(&th[started], NULL, worker, p) == 0) {
			started++;
		} else {
			pthread_mutex_lock(&p->lock);
			p->active--;
			pthread_mutex_unlock(&p->lock);
		}
	}
	worker(p);
	for (k = 0; k < started; k++)
		pthread_join(th[k], NULL);
}

/* add_auth_job - an AUTH test of MECH as the next job */
static void add_auth_job(struct pool *p, const char *mech, const char *user,
    const char *pass, int offered)
{
	struct job *j = &p->jobs[p->njobs++];

	j->mech = mech;
	j->user = user;
	j->pass = pass;
	j->offered = offered;
}

/* finding - append one finding */
static void finding(json_t *findings, const char *id, const char *sev,
    json_t *evidence, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void finding(json_t *findings, const char *id, const char *sev,
    json_t *evidence, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_array_append_new(findings, json_pack("{s:s, s:s, s:s, s:o}", "id",
	    id, "severity", sev, "message", msg,
	    "evidence", evidence != NULL ? evidence : json_array()));
}

json_t *audit_run(const struct audit_opts *o)
{
	struct job r = { .tests = json_array(), .transcript = json_array() };
	struct pool p = { .o = o, .lock = PTHREAD_MUTEX_INITIALIZER };
	struct battery_vars v;
	struct battery_test *tests = NULL;
	size_t ntests = 0, i, k, nrun = 0, nchunks;
	char name[256], local[256], err[256];
	json_t *doc, *findings = json_array(), *relayed = json_array();
	json_t *battery_relayed = json_array();
	json_t *deferred = json_array(), *untested = json_array();
	json_t *address = json_array();
	bool sink = false, outside;
	const char *verdict;
	struct vantage vant = { TRUST_REMOTE, CLIENT_OUTSIDER, "", "" };
	size_t n_battery = 0, n_relayed = 0, n_denied = 0, n_deferred = 0, n_untested = 0;
	size_t n_checked = 0;

	p.per = o->per_connection ? o->per_connection : 8;
	if (connect_job(o, &r) == 0) {
		vantage_judge(o->config, r.info.local_addr, r.info.peer_addr,
		    o->assume_outsider, &vant);
		server_name(r.info.banner, name, sizeof(name));
		if (o->local != NULL)
			snprintf(local, sizeof(local), "%s", o->local);
		else
			local_domain(name, local, sizeof(local));
		v.user = o->user ? o->user : "relaytest";
		v.sender = o->sender ? o->sender : "relayctl";
		v.external = o->external ? o->external : "example.net";
		v.server = name;
		v.ip = r.info.peer_addr[0] ? r.info.peer_addr : o->conn.host;
		v.local = local;
		if (battery_build(&v, o->tests, &tests, &ntests, err,
		    sizeof(err)) != RELAY_OK && (o->tests == NULL ||
		    (fnmatch(o->tests, "AUTH-BOGUS-PLAIN", 0) != 0 &&
		    fnmatch(o->tests, "AUTH-USER-PLAIN", 0) != 0 &&
		    fnmatch(o->tests, "AUTH-BOGUS-CRAM-MD5", 0) != 0))) {
			snprintf(r.reason, sizeof(r.reason), "%s", err);
			r.fatal = 1;
		}
		p.v = &v;
		p.tests = tests;
		/* A job per PER refusals the battery may meet, then one per
		 * AUTH test. */
		for (i = 0, nchunks = 0; i < ntests; i = span(tests, i, ntests,
		    p.per))
			nchunks++;
		if (!r.fatal && ((p.jobs = calloc(nchunks + 6,
		    sizeof(*p.jobs))) == NULL || (p.again = calloc(nchunks + 6,
		    sizeof(*p.again))) == NULL)) {
			snprintf(r.reason, sizeof(r.reason), "out of memory");
			r.fatal = 1;
		}
		for (i = 0; i < ntests && !r.fatal; i = k) {
			k = span(tests, i, ntests, p.per);
			p.jobs[p.njobs].first = i;
			p.jobs[p.njobs++].n = k - i;
		}
		/* The AUTH surface, each mechanism on its own connection. */
		for (i = 0; i < 3 && !r.fatal && !o->no_auth; i++) {
			static const char *const mechs[] = { "CRAM-MD5", "PLAIN",
			    "LOGIN" };
			unsigned bit = mech_bit(mechs[i]);
			char bid[40], uid[40];
			snprintf(bid, sizeof(bid), "AUTH-BOGUS-%s", mechs[i]);
			snprintf(uid, sizeof(uid), "AUTH-USER-%s", mechs[i]);
			if (!(r.info.caps.auth & bit)) {
				/* A mechanism not offered must not work either
				 * (with the real credentials when given, unless
				 * they would travel in clear text). */
				char nid[48];
				int real = o->auth_user != NULL &&
				    o->auth_pass != NULL && (!(bit & MECH_CLEARTEXT) ||
				    r.info.tls || o->allow_cleartext_auth);
				snprintf(nid, sizeof(nid), "AUTH-UNOFFERED-%s",
				    mechs[i]);
				if ((r.info.caps.auth != 0 || real) &&
				    (o->tests == NULL ||
				    fnmatch(o->tests, nid, 0) == 0))
					add_auth_job(&p, mechs[i], real ?
					    o->auth_user : NULL, real ?
					    o->auth_pass : NULL, 0);
				continue;
			}
			if (o->tests == NULL || fnmatch(o->tests, bid, 0) == 0)
				add_auth_job(&p, mechs[i], NULL, NULL, 1);
			if (o->tests != NULL && fnmatch(o->tests, uid, 0) != 0)
				continue;
			if (o->auth_user == NULL || o->auth_pass == NULL)
				continue;
			if ((bit & MECH_CLEARTEXT) && !r.info.tls &&
			    !o->allow_cleartext_auth) {
				/* a job with nothing to run, only this note */
				struct job *j = &p.jobs[p.njobs++];
				j->tests = json_pack("[{s:s, "
				    "s:s, s:s, s:s, s:s, s:n, s:n, s:s}]", "id",
				    bit == MECH_PLAIN ? "AUTH-USER-PLAIN" :
				    "AUTH-USER-LOGIN", "description", "not sent: "
				    "the password would cross the network in clear "
				    "text (--allow-cleartext-auth)", "kind",
				    "auth-user", "mail_from", "", "rcpt_to", "",
				    "mail_reply", "rcpt_reply", "result", "untested");
				continue;
			}
			add_auth_job(&p, mechs[i], o->auth_user, o->auth_pass, 1);
		}
		for (k = 0; k < p.njobs; k++) {
			if (p.jobs[k].tests == NULL)
				p.jobs[k].tests = json_array();
			p.jobs[k].transcript = json_array();
		}
		/* The first connection serves the first batch. */
		if (p.njobs > 0 && p.jobs[0].mech == NULL && p.jobs[0].n > 0) {
			p.jobs[0].s = r.s;
			p.jobs[0].info = r.info;
			json_array_extend(p.jobs[0].transcript, r.transcript);
			json_array_clear(r.transcript);
			r.s = NULL;
		}
		copy_transcript(&r);
		end_session(&r);
		run_jobs(&p, o->connections ? o->connections : 1);
	} else {
		name[0] = local[0] = '\0';
		r.fatal = 1;
	}
	copy_transcript(&r);
	end_session(&r);
	/* The jobs' results in job order; tests that did not run are
	 * untested, never passed. */
	for (k = 0; k < p.njobs; k++) {
		struct job *j = &p.jobs[k];
		end_session(j);
		if (j->mech != NULL && json_array_size(j->tests) == 0) {
			/* an AUTH test that never started */
			char id[48];
			const char *kind, *desc = auth_names(j, id, sizeof(id),
			    &kind);
			json_array_append_new(j->tests, json_pack("{s:s, s:s, "
			    "s:s, s:s, s:s, s:n, s:n, s:s}", "id", id,
			    "description", desc, "kind", kind, "mail_from", "",
			    "rcpt_to", "", "mail_reply", "rcpt_reply", "result",
			    "untested"));
		}
		json_array_extend(r.tests, j->tests);
		json_array_extend(r.transcript, j->transcript);
		json_decref(j->tests);
		json_decref(j->transcript);
		nrun += j->ran;
		for (i = j->first + j->rows; i < j->first + j->n; i++)
			json_array_append_new(r.tests, json_pack("{s:s, s:s, s:s, "
			    "s:s, s:s, s:n, s:n, s:s}", "id", tests[i].id,
			    "description", tests[i].desc, "kind",
			    kind_name(tests[i].kind), "mail_from", tests[i].from,
			    "rcpt_to", tests[i].rcpt, "mail_reply", "rcpt_reply",
			    "result", "untested"));
		if (j->fatal && !r.fatal) {
			r.fatal = 1;
			snprintf(r.reason, sizeof(r.reason), "%s", j->reason);
		}
	}
	free(p.jobs);
	free(p.again);
	for (i = 0; i < json_array_size(r.tests); i++) {
		json_t *t = json_array_get(r.tests, i);
		const char *res = json_string_value(json_object_get(t, "result"));
		const char *id = json_string_value(json_object_get(t, "id"));
		json_t *rr = json_object_get(t, "rcpt_reply");
		char ev[800];
		snprintf(ev, sizeof(ev), "%s: MAIL FROM:%s / RCPT TO:%s -> %s", id,
		    json_string_value(json_object_get(t, "mail_from")),
		    json_string_value(json_object_get(t, "rcpt_to")),
		    json_is_string(rr) ? json_string_value(rr) : "(not sent)");
		if (strcmp(json_string_value(json_object_get(t, "kind")),
		    "relay") == 0 && (strcmp(res, "denied") == 0 ||
		    strcmp(res, "deferred") == 0))
			n_checked++;	/* a relay attempt the server answered */
		if (strcmp(res, "relayed") == 0) {
			n_relayed++;
			if (strncmp(id, "AUTH-", 5) != 0) {
				n_battery++;
				json_array_append_new(battery_relayed,
				    json_string(ev));
			} else {
				json_array_append_new(relayed, json_string(ev));
			}
			if (strncmp(id, "AUTH-BOGUS-", 11) == 0)
				finding(findings, "AUD-AUTH-BOGUS", "critical",
				    json_pack("[s]", ev), "the server accepted "
				    "bogus credentials with %s and then relayed",
				    id + 11);
		} else if (strcmp(res, "denied") == 0) {
			n_denied++;
			if (json_is_string(rr) && strlen(json_string_value(rr)) > 8 &&
			    strncmp(json_string_value(rr) + 4, "5.1.", 4) == 0)
				json_array_append_new(address, json_string(ev));
		} else if (strcmp(res, "deferred") == 0) {
			n_deferred++;
			json_array_append_new(deferred, json_string(ev));
		} else if (strcmp(res, "untested") == 0) {
			n_untested++;
			json_array_append_new(untested, json_string(ev));
		} else if (strcmp(res, "accepted") == 0 &&
		    strcmp(id, "PRB-SINK") == 0) {
			sink = true;
		} else if (strcmp(res, "refused") == 0 &&
		    strcmp(id, "PRB-SINK") == 0) {
			/* unknown local users are refused: as it should be */
		} else if (strcmp(res, "refused") == 0 &&
		    strncmp(id, "AUTH-USER-", 10) == 0) {
			finding(findings, "AUD-AUTH-USER-REFUSED", "warning",
			    json_pack("[s]", ev), "the real credentials did not "
			    "work or did not allow relay with %s", id + 10);
		} else if (strcmp(res, "refused") == 0) {
			finding(findings, "AUD-LOCAL-REFUSED", "warning",
			    json_pack("[s]", ev), "mail for the local postmaster "
			    "was refused: the server is closed the other way too");
		} else if (strcmp(res, "accepted") == 0 &&
		    strncmp(id, "AUTH-UNOFFERED-", 15) == 0) {
			finding(findings, "AUD-AUTH-UNOFFERED", "warning",
			    json_pack("[s]", ev), "AUTH %s works although the "
			    "server does not offer it", id + 15);
		} else if (strcmp(res, "accepted") == 0 &&
		    strncmp(id, "AUTH-BOGUS-", 11) == 0) {
			finding(findings, "AUD-AUTH-BOGUS", "critical",
			    json_pack("[s]", ev), "the server accepted bogus "
			    "credentials with %s", id + 11);
			n_relayed++;	/* anyone may log in: as good as open */
		}
	}
	/* Relaying for a trusted client is by design: only an outsider's
	 * view can call a server open or closed. */
	outside = vant.trust == TRUST_REMOTE || vant.trust == TRUST_NONE ||
	    (vant.trust == TRUST_SUSPECTED && n_battery == 0);
	if (!outside) {
		finding(findings, "AUD-VANTAGE-TRUSTED", "warning",
		    battery_relayed,
		    "the outsider's view was not seen: %s%s", vant.why,
		    vant.trust == TRUST_SUSPECTED ? ", and the server relayed "
		    "for it" : n_battery > 0 ? "; it relays for it by design" :
		    "; yet the server refused to relay for it: the running "
		    "server may not use this configuration (reload?)");
		n_relayed -= n_battery;
		battery_relayed = NULL;
		if (r.reason[0] == '\0')
			snprintf(r.reason, sizeof(r.reason), "audited from a trusted "
			    "address (%s): the outsider's view was not seen; audit from "
			    "an address the server does not trust (--source)",
			    vant.source);
	} else {
		/* the battery's relays first, then those after bogus AUTH */
		json_array_extend(battery_relayed, relayed);
		json_decref(relayed);
		relayed = battery_relayed;
		battery_relayed = NULL;
	}
	if (outside && vant.trust == TRUST_SUSPECTED && nrun > 0) {
		finding(findings, "AUD-VANTAGE-LOCAL", "ok", NULL, "audited from "
		    "%s on the server's own machine; the server refused to relay "
		    "for it, so it does not trust it", vant.source);
	}
	json_decref(battery_relayed);
	if (n_relayed > 0)
		finding(findings, "AUD-OPEN-RELAY", "critical", relayed,
		    "the server accepted %zu external recipient%s without "
		    "authentication: an open relay", n_relayed,
		    n_relayed == 1 ? "" : "s");
	else
		json_decref(relayed);
	if (sink)
		finding(findings, "AUD-SINK", n_relayed > 0 ? "warning" : "ok",
		    NULL, "the server accepts mail for a local user that cannot "
		    "exist: a catch-all or a sink, whose 2xx answers may not mean "
		    "delivery");
	if (json_array_size(address) > 0)
		finding(findings, "AUD-DENIED-ADDRESS", "ok", address,
		    "%zu relay attempt%s refused as a bad address (5.1.x), not by "
		    "relay policy: such refusals prove less",
		    json_array_size(address), json_array_size(address) == 1 ?
		    " was" : "s were");
	else
		json_decref(address);
	if (n_deferred > 0)
		finding(findings, "AUD-RELAY-DEFERRED", "warning", deferred,
		    "%zu relay attempt%s deferred (4xx), not refused: no relay "
		    "now, but clients retry", n_deferred, n_deferred == 1 ? " was" :
		    "s were");
	else
		json_decref(deferred);
	if (n_untested > 0)
		finding(findings, "AUD-UNTESTED", "warning", untested,
		    "%zu test%s did not run", n_untested,
		    n_untested == 1 ? "" : "s");
	else
		json_decref(untested);
	if (r.info.caps_plain.auth & MECH_CLEARTEXT && !(r.info.tls &&
	    !r.info.starttls))
		finding(findings, "AUD-AUTH-CLEARTEXT", "warning", NULL,
		    "PLAIN or LOGIN is offered before TLS (%s): passwords would "
		    "cross the network in clear text", r.info.caps_plain.auth_list);
	if (r.info.tls && r.info.verify_result != 0)
		finding(findings, "AUD-TLS-CERT", "warning", NULL, "the TLS "
		    "certificate does not verify: %s (subject %s, issuer %s)",
		    r.info.verify_text, r.info.cert_subject, r.info.cert_issuer);
	/* The verdict: open beats everything; closed only when the tests
	 * ran and the server answered a relay attempt. */
	if (n_relayed > 0)
		verdict = "open";
	else if (r.fatal || !outside || n_checked == 0)
		verdict = "unknown";
	else
		verdict = "closed";
	if (strcmp(verdict, "unknown") == 0 && r.reason[0] == '\0')
		snprintf(r.reason, sizeof(r.reason), "no relay attempt was "
		    "answered (%zu untested): nothing shows that the server "
		    "refuses to relay", n_untested);
	doc = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s?, s:{s:s, s:s, s:s, "
	    "s:s, s:s}, s:{s:b, s:b, s:s, s:s, s:I, s:s, s:s, s:s}, "
	    "s:{s:o, s:o}, "
	    "s:{s:I, s:I, s:I, s:I, s:I}, s:o, s:o, s:o, s:b, "
	    "s:{s:s, s:s, s:s, s:s, s:b}}",
	    "schema", AUDIT_SCHEMA, "target", o->target, "host", o->conn.host,
	    "port", (int)o->conn.port, "verdict", verdict,
	    "reason", r.reason[0] ? r.reason : NULL,
	    "server", "banner", r.info.banner, "name", name, "address",
	    r.info.peer_addr, "local_domain", local, "source",
	    r.info.local_addr,
	    "tls", "active", r.info.tls, "starttls", r.info.starttls,
	    "version", r.info.tls_version, "cipher", r.info.tls_cipher,
	    "verify_result", (json_int_t)r.info.verify_result,
	    "subject", r.info.cert_subject, "issuer", r.info.cert_issuer,
	    "not_after", r.info.cert_not_after,
	    "capabilities", "before_tls", caps_json(&r.info.caps_plain),
	    "last", caps_json(&r.info.caps),
	    "counts", "run", (json_int_t)nrun, "relayed", (json_int_t)n_relayed,
	    "denied", (json_int_t)n_denied, "deferred", (json_int_t)n_deferred,
	    "untested", (json_int_t)n_untested,
	    "tests", r.tests, "findings", findings, "transcript", r.transcript,
	    "complete", !r.fatal,
	    "vantage", "source", vant.source, "trust", trust_name(vant.trust),
	    "class", client_class_name(vant.cls), "why", vant.why,
	    "outsider_view", outside);
	free(tests);
	return doc;
}

const char *audit_verdict(const json_t *target)
{
	const char *v = json_string_value(json_object_get(target, "verdict"));

	return v != NULL ? v : "unknown";
}

json_t *audit_unknown(const char *target, const char *host, unsigned port,
    const char *reason)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:b, s:{s:I, s:I, "
	    "s:I, s:I, s:I}, s:[], s:[], s:[]}", "schema", AUDIT_SCHEMA,
	    "target", target, "host", host, "port", (int)port, "verdict",
	    "unknown", "reason", reason, "complete", 0, "counts", "run",
	    (json_int_t)0, "relayed", (json_int_t)0, "denied", (json_int_t)0,
	    "deferred", (json_int_t)0, "untested", (json_int_t)0, "tests",
	    "findings", "transcript");
}
