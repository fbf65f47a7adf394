import { CliError } from './exit-codes';

/** Parse a QEMU-style size ("128M", "1G", "65536K", a bare number means MiB as in QEMU's -m). */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+)([KMGT]?)(i?B)?$/i.exec(text.trim());
  if (!m) throw new CliError(`${flag}: bad size '${text}' (expected e.g. 128M or 1G)`);
  const n = Number(m[1]);
  const unit = m[2].toUpperCase();
  const mult = unit === 'K' ? 1024 : unit === 'G' ? 1024 ** 3 : unit === 'T' ? 1024 ** 4 : 1024 ** 2;
  return n * mult;
}

export function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim())) throw new CliError(`${flag}: bad count '${text}' (expected a whole number)`);
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new CliError(`${flag}: count '${text}' too large`);
  return n;
}
