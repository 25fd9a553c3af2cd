/*
 * cmd_rollback - `relayctl rollback [--list] [BACKUP]`: restore main.cf
 * from the newest (or a chosen) backup, through the same locked, backed-up
 * atomic write and reload as every change.
 */
#include <stdlib.h>
#include <string.h>

#include "configure.h"
#include "opt.h"
#include "output.h"

int cmd_rollback(struct cli *cli, int argc, char **argv)
{
	struct opt_state st;
	struct write_opts w = { 0 };
	struct config cfg = { 0 };
	struct backend_plan plan = { 0 };
	struct safefile_diag sd;
	char **operands = NULL, **list = NULL, *chosen = NULL;
	size_t i, n = 0;
	int c, rc = EXIT_OK, want_list = 0;
	json_t *a;

	if ((operands = calloc((size_t)argc, sizeof(*operands))) == NULL) {
		out_error("out of memory");
		return EXIT_SOFTWARE;
	}
	opt_init(&st, cli->cmd, argc, argv, operands);
	while ((c = opt_next(&st)) > 0) {
		if (c == 'l')
			want_list = 1;
		else if (!write_opt(&w, c, st.arg))
			cli_common(cli, c, st.arg);
	}
	if (c < 0) {
		rc = opt_status(cli, &st, c);
		goto out;
	}
	if (st.noperands > 1 || (want_list && st.noperands > 0)) {
		out_error("rollback: give at most one backup, and none with "
		    "--list");
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = config_open(cli, !want_list, &cfg)) != EXIT_OK)
		goto out;
	if (safefile_backups(cfg.main_path, cfg.backup_dir, &list, &n, &sd) !=
	    RELAY_OK) {
		out_error("%s", sd.msg);
		rc = EXIT_NOINPUT;
		goto out;
	}
	if (want_list) {
		if (cli->json) {
			a = json_array();
			for (i = 0; a != NULL && i < n; i++)
				json_array_append_new(a, json_string(list[i]));
			rc = out_json(json_pack("{s:o}", "backups", a));
		} else {
			for (i = 0; i < n; i++)
				printf("%s\n", list[i]);
		}
		goto out;
	}
	for (i = 0; i < n && chosen == NULL; i++) {
		const char *base = strrchr(list[i], '/');
		base = base != NULL ? base + 1 : list[i];
		if (st.noperands == 0 || strcmp(operands[0], list[i]) == 0 ||
		    strcmp(operands[0], base) == 0)
			chosen = list[i];
	}
	if (chosen == NULL) {
		if (st.noperands > 0)
			out_error("rollback: no backup '%s' in '%s'; see "
			    "'relayctl rollback --list'", operands[0],
			    cfg.backup_dir);
		else
			out_error("rollback: no backup of '%s' in '%s': nothing "
			    "to restore", cfg.main_path, cfg.backup_dir);
		rc = EXIT_NOINPUT;
		goto out;
	}
	if (safefile_read(cfg.main_path, &plan.old_data, &plan.old_len, &sd) !=
	    RELAY_OK || safefile_read(chosen, &plan.new_data, &plan.new_len,
	    &sd) != RELAY_OK) {
		out_error("%s", sd.msg);
		rc = EXIT_NOINPUT;
		goto out;
	}
	plan.nchanged = plan.old_len != plan.new_len ||
	    memcmp(plan.old_data, plan.new_data, plan.old_len) != 0;
	{
		char what[600];
		snprintf(what, sizeof(what), "the backup %s", chosen);
		rc = config_apply(cli, &cfg, &plan, &w, what,
		    json_pack("{s:s}", "restored", chosen));
	}
out:
	backend_plan_release(&plan);
	safefile_backups_free(list, n);
	config_close(&cfg);
	free(operands);
	return rc;
}
