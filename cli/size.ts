import { CliError } from './exit-codes';

const UNITS: Record<string, number> = { B: 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * Parse a size as QEMU's -m does: a number with a suffix B, K, M, G or T (binary units; a
 * fraction is allowed with K and above, e.g. 1.5G), and a bare number means MiB (QEMU's legacy
 * rule: `-m 128` is 128 MiB). Plain bytes are written with the B suffix: 134217728B.
 */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([BKMGT])?(?:i?B)?$/i.exec(text.trim());
  const bad = (why: string): never => { throw new CliError(`${flag}: bad size '${text}' (${why})`); };
  if (!m) bad('expected e.g. 128M, 1G or 134217728B');
  const unit = (m![2] ?? 'M').toUpperCase();
  const n = Number(m![1]) * UNITS[unit];
  if (!Number.isSafeInteger(n)) bad('not a whole number of bytes');
  return n;
}

export function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim())) throw new CliError(`${flag}: bad count '${text}' (expected a whole number)`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new CliError(`${flag}: count '${text}' too large`);
  return n;
}
