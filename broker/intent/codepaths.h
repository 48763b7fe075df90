/* codepaths.h -- the files inline code names.
 *
 * `python3 -c "open('.claude/settings.json','w').write(x)"`, `node -e
 * "fs.writeFileSync('CLAUDE.md', s)"`: when the code scanner finds that code
 * writes or deletes files, every string literal in it that reads as a path
 * is taken for a file it writes (an over-approximation: a file it only
 * reads is then counted as written too).  A path the code builds from
 * pieces (concatenation, formatting, join) cannot be read here: the caller
 * then records a write to a file named at run time, which is never low. */
#ifndef SG_CODEPATHS_H
#define SG_CODEPATHS_H

#include <stdbool.h>
#include <stddef.h>

/* Call fn for each string literal of code[0..n) that reads as a path
 * ('...', "...", `...`; backslash escapes kept as written).  Returns how
 * many it found; stops early when fn returns false. */
size_t code_path_literals(const char *code, size_t n, bool (*fn)(void *ctx, const char *s, size_t len),
    void *ctx);

/* Does the code write or delete a file whose name it computes (a call such
 * as open(p, 'w'), fs.writeFileSync(path.join(...)), shutil.copy(a, b),
 * (Path.home() / x).write_text(...) whose path argument is not one string
 * literal, nor a name assigned one literal: p = 'x'; open(p, 'w'))?
 * *writes is set when the code has any file-writing call at all
 * (sys.stdout.write is none).  fn gets the literals such names hold. */
bool code_computed_paths(const char *code, size_t n, bool *writes,
    bool (*fn)(void *ctx, const char *s, size_t len), void *ctx);

#endif
