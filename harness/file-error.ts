// File-system errors in words: a message names the path itself and says what went wrong, rather
// than showing Node's code (ENOENT, EISDIR) or its multi-part message.

const WORDS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of its path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EMFILE: 'too many open files',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EEXIST: 'it exists already',
};

/** Why a file operation failed, in words, on one line (Node's message without its code and path). */
export function fileProblem(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code && WORDS[err.code]) return WORDS[err.code];
  const message = String(err?.message ?? e).split('\n')[0];
  // "EXDEV: cross-device link not permitted, rename 'a' -> 'b'": keep the words only.
  return message.replace(/^[A-Z0-9]+: /, '').replace(/, [a-z]+ '.*$/, '');
}
