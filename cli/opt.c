/*
 * opt - getopt_long-style parsing against a command's option table.
 * Owns nothing (operands point into argv).  Never prints.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "opt.h"

void opt_init(struct opt_state *st, const struct command *cmd,
    int argc, char **argv, char **operands)
{
	memset(st, 0, sizeof(*st));
	st->cmd = cmd;
	st->argc = argc;
	st->argv = argv;
	st->next = 1;
	st->operands = operands;
}

/* find_long - the option called NAME (LEN bytes), or NULL */
static const struct opt_spec *find_long(const struct command *cmd,
    const char *name, size_t len)
{
	const struct opt_spec *o;

	for (o = cmd->opts; o != NULL && o->name != NULL; o++)
		if (strlen(o->name) == len && strncmp(o->name, name, len) == 0)
			return o;
	return NULL;
}

/* find_short - the option with short key C, or NULL */
static const struct opt_spec *find_short(const struct command *cmd, int c)
{
	const struct opt_spec *o;

	for (o = cmd->opts; o != NULL && o->name != NULL; o++)
		if (o->key == c)
			return o;
	return NULL;
}

/* fail - leave a message naming the offending text, return OPT_ERROR */
static int fail(struct opt_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct opt_state *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
	return OPT_ERROR;
}

/* take_arg - the argument of O: INLINE if given, else the next argv */
static int take_arg(struct opt_state *st, const struct opt_spec *o,
    const char *inline_arg, const char *shown, int shownlen)
{
	if (inline_arg != NULL)
		st->arg = inline_arg;
	else if (st->next >= st->argc)
		return fail(st, "option '%.*s' needs an argument", shownlen,
		    shown);
	else
		st->arg = st->argv[st->next++];
	if (o->key == OPT_COLOR && strcmp(st->arg, "auto") != 0 &&
	    strcmp(st->arg, "always") != 0 && strcmp(st->arg, "never") != 0)
		return fail(st, "invalid --color '%s': use auto, always or never",
		    st->arg);
	return o->key;
}

/* do_long - parse "--name[=value]" in A */
static int do_long(struct opt_state *st, const char *a)
{
	const char *name = a + 2, *eq = strchr(name, '=');
	size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
	const struct opt_spec *o;

	if (len == 4 && strncmp(name, "help", 4) == 0 && eq == NULL)
		return OPT_HELP;
	if ((o = find_long(st->cmd, name, len)) == NULL)
		return fail(st, "unknown option '%.*s'", (int)(len + 2), a);
	if (o->arg == NULL) {
		if (eq != NULL)
			return fail(st, "option '%.*s' takes no argument",
			    (int)(len + 2), a);
		return o->key;
	}
	return take_arg(st, o, eq != NULL ? eq + 1 : NULL, a, (int)(len + 2));
}

/* do_short - parse the option letter at P ("-x[value]"); a cluster of
 * flags like "-qv" leaves the rest in st->cluster for the next call */
static int do_short(struct opt_state *st, const char *p)
{
	const struct opt_spec *o;
	char shown[3] = { '-', *p, '\0' };

	st->cluster = NULL;
	if (*p == 'h')
		return OPT_HELP;
	if ((o = find_short(st->cmd, (unsigned char)*p)) == NULL)
		return fail(st, "unknown option '%.*s'", 2, shown);
	if (o->arg != NULL)
		return take_arg(st, o, p[1] != '\0' ? p + 1 : NULL, shown, 2);
	if (p[1] != '\0')
		st->cluster = p + 1;
	return o->key;
}

int opt_next(struct opt_state *st)
{
	char *a;

	st->arg = NULL;
	if (st->cluster != NULL)
		return do_short(st, st->cluster);
	while (st->next < st->argc) {
		a = st->argv[st->next++];
		if (st->operands_only || a[0] != '-' || a[1] == '\0') {
			if (st->stop_at_operand) {
				st->next--;
				return OPT_END;
			}
			st->operands[st->noperands++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			if (st->stop_at_operand)
				return OPT_END;
			st->operands_only = 1;
			continue;
		}
		return a[1] == '-' ? do_long(st, a) : do_short(st, a + 1);
	}
	return OPT_END;
}
