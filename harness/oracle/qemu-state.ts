// QEMU as an independent oracle for "state" vectors: a batch of vectors is packed into a blob,
// QEMU runs harness/oracle/qemu-state/build/runner.elf with the blob at 0x84000000, and the
// runner prints each vector's final registers, trap CSRs and observed memory.

import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { hex64, regionBytes, StateInputs } from '../../reference/state';
import { CSR_NUMBERS } from '../../reference/machine/csr';

export const RUNNER = path.resolve(__dirname, '../../../harness/oracle/qemu-state/build/runner.elf');
export const QEMU = 'qemu-system-riscv64';
const BLOB_ADDR = 0x84000000;
const BLOB_LIMIT = 0x87000000 - BLOB_ADDR;

/** The CSRs the runner prints after a vector's trap into M-mode, in order (runner.c). */
export const ORACLE_CSRS = ['mcause', 'mtval', 'mepc', 'mstatus', 'scause', 'stval', 'sepc', 'stvec', 'sscratch', 'satp', 'mie', 'mip', 'medeleg', 'mideleg'] as const;

export interface QemuStateResult {
  x: Record<string, string>;
  /** Values after QEMU entered the M-mode trap (so mstatus shows MPP/MPIE of the trap). */
  csrs: Record<string, string>;
  memory: { base: string; bytes: string }[];
}

/** QEMU's cpu model matching the reference's misa (ACIMSU) and its zero marchid and mimpid. */
export const QEMU_CPU = 'rv64,f=off,d=off,h=off,v=false,marchid=0,mimpid=0';

export function u64(v: bigint | number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)));
  return b;
}

const PRIV_LEVEL = { M: 3, S: 1, U: 0 } as const;
/** CSRs the runner itself depends on while a vector runs (its trap entry); a vector may not preset them. */
const RUNNER_OWNED = new Set(['mtvec', 'mscratch', 'mepc']);
const MSTATUS_MPIE = 0x80n, MSTATUS_MPP = 3n << 11n;
/** The A fields of the eight entries in one RV64 pmpcfg register: any nonzero one is an active entry. */
const PMP_CFGS = ['pmpcfg0', 'pmpcfg2'], PMP_A_FIELDS = 0x1818181818181818n;

/**
 * Why the runner cannot put a vector in its initial state, or null when it can. The runner
 * enters every vector with mret, which leaves mstatus.MPIE = 1 and MPP = U: an M-mode vector
 * that starts with other values there has to set them itself. And QEMU 7.2 makes that mret an
 * illegal instruction when it enters S or U with every PMP entry OFF.
 */
export function qemuEntryProblem(inputs: StateInputs): string | null {
  if (inputs.kind !== 'state') return 'not a state vector';
  const csrs = inputs.hart.csrs ?? {};
  for (const name of Object.keys(csrs)) {
    if (CSR_NUMBERS[name] === undefined) return `unknown CSR ${name}`;
    if (RUNNER_OWNED.has(name)) return `the QEMU runner owns ${name} while a vector runs`;
  }
  const priv = inputs.hart.priv ?? 'M';
  if (priv !== 'M' && !PMP_CFGS.some((name) => csrs[name] !== undefined && (BigInt(csrs[name]) & PMP_A_FIELDS) !== 0n)) {
    return 'QEMU 7.2 refuses an mret to S or U while every PMP entry is OFF';
  }
  if (priv === 'M' && csrs.mstatus !== undefined) {
    const ms = BigInt(csrs.mstatus);
    if ((ms & MSTATUS_MPIE) === 0n || (ms & MSTATUS_MPP) !== 0n) return 'an M-mode vector entered with mret starts with mstatus.MPIE = 1 and MPP = U';
  }
  return null;
}

/** One vector's part of a blob (harness/oracle/qemu-state/vector-runner.h lays it out). */
export function packVector(inputs: StateInputs, observe: { base: string; length: number }[]): Buffer[] {
  const problem = qemuEntryProblem(inputs);
  if (problem) throw new Error(`the QEMU state oracle cannot run this vector: ${problem}`);
  const parts: Buffer[] = [u64(inputs.memory.length)];
  for (const r of inputs.memory) {
    const bytes = regionBytes(r);
    parts.push(u64(BigInt(r.base)), u64(bytes.length));
    const padded = Buffer.alloc(Math.ceil(bytes.length / 8) * 8);
    Buffer.from(bytes).copy(padded);
    parts.push(padded);
  }
  parts.push(u64(BigInt(inputs.hart.pc)));
  for (let i = 0; i < 32; i++) parts.push(u64(i === 0 ? 0n : BigInt(inputs.hart.x?.['x' + i] ?? '0')));
  parts.push(u64(observe.length));
  for (const o of observe) parts.push(u64(BigInt(o.base)), u64(o.length));
  // Initial privilege and CSRs, in the order the reference applies them; mstatus goes apart.
  const csrs = Object.entries(inputs.hart.csrs ?? {}).filter(([name]) => name !== 'mstatus');
  parts.push(u64(PRIV_LEVEL[inputs.hart.priv ?? 'M']), u64(BigInt(inputs.hart.csrs?.mstatus ?? '0')), u64(csrs.length));
  for (const [name, value] of csrs) parts.push(u64(CSR_NUMBERS[name]), u64(BigInt(value)));
  return parts;
}

export function packBatch(batch: { inputs: StateInputs; observe: { base: string; length: number }[] }[]): Buffer {
  const parts: Buffer[] = [u64(batch.length)];
  for (const { inputs, observe } of batch) parts.push(...packVector(inputs, observe));
  const blob = Buffer.concat(parts);
  if (blob.length > BLOB_LIMIT) throw new Error(`batch of ${batch.length} vectors is too large for the QEMU runner`);
  return blob;
}

export function parseLine(line: string, observe: { base: string; length: number }[]): QemuStateResult {
  const f = line.trim().split(' ');
  const x: Record<string, string> = {};
  for (let i = 1; i < 32; i++) x['x' + i] = '0x' + f[1 + i];
  const csrs: Record<string, string> = {};
  ORACLE_CSRS.forEach((name, k) => { csrs[name] = '0x' + f[33 + k]; });
  const first = 33 + ORACLE_CSRS.length;
  return { x, csrs, memory: observe.map((o, k) => ({ base: o.base, bytes: f[first + k] ?? '' })) };
}

/** What one QEMU reported for a batch: results for its first vectors, and why it stopped early (or null when it finished). */
export interface QemuBatchRun { results: QemuStateResult[]; stopped: string | null; stalled: boolean }

/**
 * Run a batch on QEMU. The runner prints one line per vector as it finishes it, so a vector that
 * never traps into M-mode (QEMU has no instruction limit) shows as QEMU falling silent: after
 * `stallMs` without a new line QEMU is stopped, and the vectors reported so far keep their results.
 */
export async function runBatchOnQemu(batch: { inputs: StateInputs; observe: { base: string; length: number }[] }[], opts: { timeoutMs?: number; stallMs?: number } = {}): Promise<QemuBatchRun> {
  const timeoutMs = opts.timeoutMs ?? 30_000, stallMs = opts.stallMs ?? 4_000, startMs = Math.max(15_000, stallMs);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-qemu-'));
  const blobFile = path.join(dir, 'blob.bin');
  fs.writeFileSync(blobFile, packBatch(batch));
  const args = ['-M', 'virt', '-cpu', QEMU_CPU, '-m', '128M', '-nographic', '-bios', 'none', '-kernel', RUNNER,
    '-device', `loader,file=${blobFile},addr=0x${BLOB_ADDR.toString(16)},force-raw=on`];
  try {
    const { out, stopped, stalled } = await new Promise<{ out: string; stopped: string | null; stalled: boolean }>((resolve, reject) => {
      const p = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '', err = '', reported = 0, why: string | null = null, stalled = false;
      const stop = (reason: string, stall: boolean) => { if (why === null) { why = reason; stalled = stall; p.kill('SIGKILL'); } };
      const deadline = setTimeout(() => stop(`QEMU timed out after ${timeoutMs} ms`, false), timeoutMs);
      // A vector runs in microseconds; QEMU's own start, on a loaded machine, can take seconds.
      let stall = setTimeout(() => stop(`QEMU reported nothing for ${startMs} ms after it started: the vector did not reach a trap into M-mode`, true), startMs);
      p.stdout.on('data', (d: Buffer) => {
        out += d.toString('latin1');
        const now = (out.match(/^V [^\n]*\n/gm) ?? []).length;
        if (now > reported) {
          reported = now;
          clearTimeout(stall);
          stall = setTimeout(() => stop(`QEMU ran the vector for ${stallMs} ms without reaching a trap into M-mode`, true), stallMs);
        }
      });
      p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      p.on('error', (e) => { clearTimeout(deadline); clearTimeout(stall); reject(e); });
      p.on('close', (code, signal) => {
        clearTimeout(deadline); clearTimeout(stall);
        const said = err.trim().split('\n')[0] ?? '';
        if (why !== null) resolve({ out, stopped: why, stalled });
        else if (signal) resolve({ out, stopped: `QEMU was killed by ${signal}${said ? `: ${said}` : ''}`, stalled: false });
        else if (code !== 0) resolve({ out, stopped: `QEMU exited with ${code}${said ? `: ${said}` : ''}`, stalled: false });
        // QEMU left by the finisher: the batch is complete when every vector's line came, even if
        // the END line, written just before the power-off, was lost on the way (seen on a loaded
        // host: QEMU exits before its UART backlog reaches the pipe).
        else {
          const complete = out.includes('END') || (out.match(/^V [^\n]*\n/gm) ?? []).length >= batch.length;
          resolve({ out, stopped: complete ? null : 'the QEMU runner stopped before the end of the batch', stalled: false });
        }
      });
    });
    const lines = (out.match(/^V [^\n]*\n/gm) ?? []).slice(0, batch.length);
    return { results: lines.map((l, i) => parseLine(l, batch[i].observe)), stopped, stalled };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Run a batch on QEMU; resolves to one result per vector, or rejects with why QEMU stopped early. */
export async function runOnQemu(batch: { inputs: StateInputs; observe: { base: string; length: number }[] }[], timeoutMs = 30_000): Promise<QemuStateResult[]> {
  const r = await runBatchOnQemu(batch, { timeoutMs });
  if (r.stopped !== null) throw new Error(`${r.stopped} (${r.results.length} of ${batch.length} vectors reported)`);
  return r.results;
}

export function qemuAvailable(): boolean {
  const paths = (process.env.PATH ?? '').split(path.delimiter);
  return paths.some((p) => fs.existsSync(path.join(p, QEMU))) && fs.existsSync(RUNNER);
}

export { hex64 };
