/* main.c: the subcommand table, global options and the exit-code contract of clockwatch(1). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "log.h"
#include "macros.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
    {"status", cmd_status, "is this host's clock synchronized, to what, how well; why not"},
    {"peers", cmd_peers, "the time daemon's sources, as ntpq's peer billboard"},
    {"assoc", cmd_assoc, "the time daemon's associations, as ntpq's \"as\""},
    {"vars", cmd_vars, "the time daemon's variables, system or one source's (ntpq \"rv\")"},
    {"check", cmd_check, "Nagios/Icinga plugin: the alarm and the offset, one line"},
    {"doctor", cmd_doctor, "ntpd's debugging checklist, run: findings, evidence, remedies"},
    {"agent", cmd_agent, "the daemon: periodic checks, the alarm with its timers, history"},
    {"alarms", cmd_alarms, "the agent's current alarm and its alarm log"},
    {"history", cmd_history, "the agent's checks over time: offset, jitter, root distance"},
    {"query", cmd_query, "measure NTP servers directly with clockwatch's own client"},
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: clockwatch [-v] COMMAND [ARGS...]\n"
	    "       clockwatch --help | --version\n\n"
	    "Tells whether this host's clock is right and, when it is not, why.\n\n"
	    "Commands:\n");
	for (size_t i = 0; i < CW_ARRAY_LEN(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
	    "\nOptions:\n"
	    "  -v, --verbose   debug messages on stderr\n"
	    "  -h, --help      this help; 'clockwatch COMMAND --help' for a command\n"
	    "  -V, --version   print the version\n\n"
	    "Exit status: 0 all answered, 1 some did not, 2 none did, 3 usage error.\n"
	    "See clockwatch(1).\n");
}

int
main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return CMD_EXIT_OK;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("clockwatch %s\n", CW_VERSION);
			return CMD_EXIT_OK;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			log_set_level(LOG_LVL_DEBUG);
		} else {
			fprintf(stderr, "clockwatch: unknown option '%s'\n", a);
			usage(stderr);
			return CMD_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return CMD_EXIT_USAGE;
	}
	for (size_t k = 0; k < CW_ARRAY_LEN(commands); k++)
		if (!strcmp(argv[i], commands[k].name))
			return commands[k].fn(argc - i, argv + i);
	fprintf(stderr, "clockwatch: unknown command '%s' (try 'clockwatch --help')\n", argv[i]);
	return CMD_EXIT_USAGE;
}
