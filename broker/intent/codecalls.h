/* codecalls.h -- what the calls in inline code run, reach and read.
 *
 * The code table (tables/code) says which texts are calls with an effect,
 * per language (scopes py js rb pl php lua r jl osa ps el besides "code").
 * code_signals() in intent.c finds which signals occur; this module looks
 * at the arguments of the calls whose argument matters:
 *
 *   cmdarg   os.system('rm -rf ~'), subprocess.run(['rm', '-rf', '/']),
 *            execSync('...'), system "...", `...`, %x(...), qx(...),
 *            do shell script "...": a literal command line (or argument
 *            vector) is walked as a nested shell command, so its own risk
 *            counts; a computed one is a program run nobody can read;
 *   env      os.environ['AWS_SECRET_ACCESS_KEY'], process.env.GITHUB_TOKEN,
 *            $ENV{X}, getenv("X"), ENV["X"]: a secret-looking name, or the
 *            whole environment (print(os.environ), getenv()), is a secret
 *            read; with the network in the same code it is exfiltration;
 *   eval     eval/exec/Function/compile of anything but one literal (a
 *            computed, concatenated, decoded or downloaded string) is code
 *            that builds and runs code; exec(open('x.py').read()) runs x.py;
 *   dynamic  getattr(os, 'sys' + 'tem'), __import__(name), require(x),
 *            send(:x), const_get: a call whose target is computed.  With a
 *            literal name the name is scanned as a call (getattr(os,
 *            'system') is os.system).
 *
 * URL literals in code that talks to the network become hosts.  When every
 * program-running call is a literal one (or an import of the module), the
 * blanket code-exec signal is dropped: the nested commands carry the risk. */
#ifndef SG_CODECALLS_H
#define SG_CODECALLS_H

#include <stddef.h>
#include <stdint.h>

#include "broker/intent/tables.h"

struct intent_ctx;

/* Look at the calls of code text[0..len) in language lang, run by command
 * ci; *m holds the code signals found (bits of enum code_sig) and is
 * updated.  0, or -1 on out of memory. */
int code_calls(struct intent_ctx *x, int ci, const char *text, size_t len, enum code_lang lang, uint32_t *m);

#endif
