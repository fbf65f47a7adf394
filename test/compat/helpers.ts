// Running third-party software (Debian's OpenSBI and U-Boot builds for QEMU virt) on QEMU and on
// `devirt boot`, and comparing the two consoles line by line, where every difference must be one
// that conformance/qemu-divergences.md explains.
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/devirt.js');
export const QEMU = 'qemu-system-riscv64';

export const OPENSBI = '/usr/share/qemu/opensbi-riscv64-generic-fw_dynamic.bin';
export const OPENSBI_PKG = '/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin';
export const UBOOT_M = '/usr/lib/u-boot/qemu-riscv64/u-boot.bin';
export const UBOOT_S = '/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin';

/**
 * The oracle's CPU is made the platform's RV64IMAC: QEMU 7.2's rv64 also enables Zba, Zbb, Zbc,
 * Zbs and Zihintpause by default, which the device tree's ISA string (printed by U-Boot) shows.
 */
export const QEMU_CPU = 'rv64,f=off,d=off,h=off,zba=off,zbb=off,zbc=off,zbs=off,Zihintpause=off';

export const HAVE_QEMU = spawnSync(QEMU, ['--version'], { encoding: 'utf8' }).status === 0;

/** Why a test cannot run here, or null when it can. */
export function missing(files: string[], needQemu = false): string | null {
  const absent = files.filter((f) => !fs.existsSync(f));
  if (absent.length) return `${absent.join(', ')} not installed (Debian packages u-boot-qemu, opensbi, qemu-system-data)`;
  if (needQemu && !HAVE_QEMU) return 'qemu-system-riscv64 not installed';
  return null;
}

export interface Run { console: string; status: number | null; stderr: string }

/** `devirt boot` with the whole script piped in: the reference types it when the guest waits. */
export function runReference(args: string[], script: string[], maxInsns: number): Run {
  const p = spawnSync(process.execPath, [BIN, 'boot', ...args, '--max-insns', String(maxInsns)],
    { input: script.join(''), encoding: 'latin1', timeout: 240_000 });
  return { console: p.stdout, status: p.status, stderr: p.stderr };
}

/**
 * QEMU with its console driven like a person at a terminal: each line of the script is sent once
 * the console shows the text it waits for (after what the previous step saw), since bytes typed
 * early are lost in the UART's FIFO resets on real hardware and on QEMU alike.
 */
export function runQemu(args: string[], steps: { waitFor: string; send: string }[], timeoutMs = 60_000): Promise<Run> {
  return drive(QEMU, qemuArgv(args), steps, timeoutMs);
}

/** QEMU's whole command line (after the program name) for a run with `args`, as runQemu gives it. */
export function qemuArgv(args: string[]): string[] {
  return ['-M', 'virt', '-cpu', QEMU_CPU, '-m', '128M', '-nographic', ...args];
}

/** `devirt boot` driven the same way, through a pipe that stays open. */
export function runReferenceDriven(args: string[], steps: { waitFor: string; send: string }[], timeoutMs = 120_000): Promise<Run> {
  return drive(process.execPath, [BIN, 'boot', ...args], steps, timeoutMs);
}

function drive(program: string, args: string[], steps: { waitFor: string; send: string }[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const q = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '', from = 0, step = 0;
    const timer = setTimeout(() => { q.kill('SIGKILL'); reject(new Error(`${path.basename(program)} timed out at step ${step} (${JSON.stringify(steps[step]?.waitFor)}); console so far:\n${out}`)); }, timeoutMs);
    const advance = () => {
      while (step < steps.length) {
        const at = out.indexOf(steps[step].waitFor, from);
        if (at < 0) return;
        from = at + steps[step].waitFor.length;
        q.stdin.write(steps[step].send);
        step++;
      }
    };
    q.stdout.setEncoding('latin1');
    q.stdout.on('data', (d: string) => { out += d; advance(); });
    q.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    q.on('error', (e) => { clearTimeout(timer); reject(e); });
    q.on('close', (status) => { clearTimeout(timer); resolve({ console: out, status, stderr: err }); });
  });
}

/** A documented difference: the lines each side shows instead of the other's (either may show none). */
export interface Divergence { key: string; qemu: RegExp; reference: RegExp }

export interface Comparison {
  /** Lines that differ and that no divergence explains, as a diff (-QEMU, +reference). */
  unexplained: string[];
  /** The divergences that explained at least one line. */
  used: Set<string>;
}

/**
 * What genuinely depends on host time, masked on both sides. U-Boot checks for a key once right
 * after printing its countdown and then once per poll of the countdown: whether QEMU sees the key
 * sent on the countdown's text at the first check or in the loop (" 0" or " 0 ") is a race.
 */
export const HOST_TIME_MASKS: [RegExp, string][] = [
  [/^(Hit any key to stop autoboot:).*$/, '$1 <countdown interrupted>'],
];

const lines = (s: string) => s.replace(/\r\n/g, '\n').split('\n')
  .map((l) => HOST_TIME_MASKS.reduce((x, [re, to]) => x.replace(re, to), l));

/** Line diff (longest common subsequence); each hunk's lines must each match a divergence. */
export function compareConsoles(qemu: string, reference: string, divergences: Divergence[]): Comparison {
  const a = lines(qemu), b = lines(reference);
  const n = a.length, m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Int32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const unexplained: string[] = [], used = new Set<string>();
  const explain = (line: string, side: 'qemu' | 'reference') => {
    const d = divergences.find((x) => x[side].test(line));
    if (d) used.add(d.key); else unexplained.push(`${side === 'qemu' ? '-' : '+'}${JSON.stringify(line)}`);
  };
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) { i++; j++; }
    else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) explain(b[j++], 'reference');
    else explain(a[i++], 'qemu');
  }
  return { unexplained, used };
}

/** The section keys of conformance/qemu-divergences.md. */
export function documentedDivergences(): Set<string> {
  const text = fs.readFileSync(path.join(ROOT, 'conformance/qemu-divergences.md'), 'utf8');
  return new Set([...text.matchAll(/^## ([a-z0-9-]+)\s*$/gm)].map((x) => x[1]));
}
