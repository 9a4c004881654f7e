// GNU readline (Debian libreadline-dev): line editing, history and completion for bm's REPL.
#include <stdio.h>
#include <readline/readline.h>
#include <readline/history.h>
