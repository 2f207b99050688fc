/* cmd.h: the subcommands' entry points and the exit codes they share (clockwatch(1)). */
#ifndef CLOCKWATCH_CMD_H
#define CLOCKWATCH_CMD_H

enum cmd_exit {
	CMD_EXIT_OK = 0,      /* every target answered */
	CMD_EXIT_PARTIAL = 1, /* some did not */
	CMD_EXIT_NONE = 2,    /* none did */
	CMD_EXIT_USAGE = 3,   /* bad command line, or an internal failure before any query */
};

/* argv[0] is the subcommand name. */
int cmd_query(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_peers(int argc, char **argv);
int cmd_assoc(int argc, char **argv);
int cmd_vars(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_alarms(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

#endif
