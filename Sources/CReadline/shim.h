// GNU readline (Debian libreadline-dev): line editing, history and completion for bm's REPL.
#include <stdio.h>
#include <stdlib.h>
#include <readline/readline.h>
#include <readline/history.h>

// Readline configures itself through global variables, which Swift 6 will not touch from Swift code; these accessors
// keep every such access in C.
typedef char **(*bm_completion_function)(const char *text, int start, int end);

static inline void bm_readline_configure(bm_completion_function completer, const char *word_breaks) {
    rl_readline_name = "bm";
    rl_catch_signals = 0;          // bm handles SIGINT itself
    rl_catch_sigwinch = 1;
    rl_attempted_completion_function = (rl_completion_func_t *)completer;
    rl_basic_word_break_characters = (char *)word_breaks;
}

static inline const char *bm_readline_line_buffer(void) { return rl_line_buffer; }

// Called from the completion function: no filename completion fallback, no space after a completed word.
static inline void bm_readline_completion_settings(void) {
    rl_attempted_completion_over = 1;
    rl_completion_append_character = '\0';
}
