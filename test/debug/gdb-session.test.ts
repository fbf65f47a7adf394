// `devirt boot --gdb`: Debian's gdb-multiarch drives a real session in batch mode against a
// committed guest (breakpoint on a symbol, steps, registers, memory, a register write, a
// watchpoint, continue to exit), and a raw RSP client checks attach-halts, Ctrl-C, detach and kill.

import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { parseElf } from '../../reference/tools/elf';
import { frame } from '../../reference/debug/rsp';
import { Asm, R, RAM, elf } from '../cli/images';
import * as os from 'os';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/devirt.js');
const GUEST = path.join(ROOT, 'reference/guests/sbi/build/basic.elf');
const hasGdb = spawnSync('gdb-multiarch', ['--version']).status === 0;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-gdb-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Running { child: ChildProcess; port: number; done: Promise<{ code: number | null; stdout: string; stderr: string }> }

/** Start `devirt boot ... --gdb 0` and wait for the port it reports. */
function startBoot(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'boot', ...args, '--gdb', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      stderr += d;
      const m = /listening on tcp::(\d+)/.exec(stderr);
      if (m) resolve({ child, port: Number(m[1]), done });
    });
    child.on('close', () => reject(new Error(`devirt exited before listening: ${stderr}`)));
  });
}

(hasGdb ? test : test.skip)('gdb-multiarch: breakpoint on a symbol, step, registers, memory, register write, watchpoint, continue to exit', async () => {
  const plain = spawnSync(process.execPath, [BIN, 'boot', '--kernel', GUEST], { encoding: 'utf8' });
  expect(plain.status).toBe(0);
  const image = parseElf(new Uint8Array(fs.readFileSync(GUEST)), GUEST);

  const run = await startBoot(['--kernel', GUEST, '--gdb-wait']);
  const gdb = spawn('gdb-multiarch', ['-nx', '-batch',
    '-ex', `target remote 127.0.0.1:${run.port}`,
    '-ex', 'info registers pc',
    '-ex', 'break main',
    '-ex', 'continue',
    '-ex', 'stepi',
    '-ex', 'stepi',
    '-ex', 'info registers',
    '-ex', 'info registers priv mstatus',
    '-ex', 'x/2xw 0x80200000',
    '-ex', 'set $saved = $s1',
    '-ex', 'set $s1 = 0x1234abcd',
    '-ex', 'p/x $s1',
    '-ex', 'set $s1 = $saved',
    '-ex', 'watch *(long *)&sig_len',
    '-ex', 'continue',
    '-ex', 'p/x $pc',
    '-ex', 'delete',
    '-ex', 'continue',
    GUEST], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  gdb.stdout!.on('data', (d) => { out += d; });
  gdb.stderr!.on('data', (d) => { out += d; });
  await new Promise((resolve) => gdb.on('close', resolve));
  const result = await run.done;

  expect(out).toMatch(/^pc\s+0x1000\s/m); // held at the reset vector (-S)
  expect(out).toMatch(/Breakpoint 1, 0x0*802[0-9a-f]+ in main \(\)/);
  expect(out).toMatch(/^ra\s+0x[0-9a-f]+/m);
  expect(out).toMatch(/^t6\s+0x[0-9a-f]+/m);
  expect(out).toMatch(/^priv\s+0x1\s+prv:1 \[Supervisor\]/m);
  const words = Buffer.from(image.segments[0].data.subarray(0, 8));
  const want = [words.readUInt32LE(0), words.readUInt32LE(4)].map((w) => '0x' + w.toString(16).padStart(8, '0'));
  expect(out).toMatch(new RegExp(`0x80200000 <_start>:\\s+${want[0]}\\s+${want[1]}`));
  expect(out).toMatch(/\$1 = 0x1234abcd/);
  // The first store to sig_len after main sets it to 6 (`-d exec` of the same guest shows it).
  expect(out).toMatch(/Hardware watchpoint 2: \*\(long \*\)&sig_len\s+Old value = 0\s+New value = 6/);
  expect(out).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
  // Under the debugger the guest did exactly what it does without one.
  expect(result.code).toBe(0);
  expect(result.stdout).toBe(plain.stdout);
}, 120_000);

/** A minimal RSP client: send packets, collect what comes back. */
class Client {
  private readonly sock: net.Socket;
  private data = '';
  constructor(port: number) {
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.on('data', (d) => { this.data += d.toString('latin1'); });
  }
  send(raw: string): void { this.sock.write(Buffer.from(raw, 'latin1')); }
  /** Wait for a packet whose payload matches. */
  async expectPacket(re: RegExp): Promise<string> {
    for (let i = 0; i < 200; i++) {
      const m = /\$([^#]*)#[0-9a-f]{2}/.exec(this.data);
      if (m) {
        this.data = this.data.slice(m.index + m[0].length);
        if (re.test(m[1])) return m[1];
        continue;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no packet matching ${re}; have ${JSON.stringify(this.data)}`);
  }
  close(): void { this.sock.destroy(); }
}

const spinner = path.join(dir, 'spin.elf');
fs.writeFileSync(spinner, elf([{ addr: RAM, data: new Asm().print('up\n').spin().bytes() }]));
const printer = path.join(dir, 'print.elf');
fs.writeFileSync(printer, elf([{ addr: RAM, data: new Asm().li(R.a0, 0).print('guest ran to the end\n').pass().bytes() }]));

test('attaching halts the running guest; Ctrl-C stops a continue with SIGINT; k ends the run', async () => {
  const run = await startBoot(['--bios', 'none', '--kernel', spinner]);
  const c = new Client(run.port);
  c.send(frame('?'));
  await c.expectPacket(/^T05thread:01;$/);
  c.send(frame('c'));
  await new Promise((r) => setTimeout(r, 300));
  c.send('\x03');
  await c.expectPacket(/^T02thread:01;$/);
  c.send(frame('k'));
  const result = await run.done;
  c.close();
  expect(result.code).toBe(0);
  expect(result.stdout).toBe('up\n');
  expect(result.stderr).toMatch(/killed by the debugger/);
}, 60_000);

test('detach: the guest continues without the debugger and finishes', async () => {
  const run = await startBoot(['--bios', 'none', '--kernel', printer, '--gdb-wait']);
  const c = new Client(run.port);
  c.send(frame('?'));
  await c.expectPacket(/^T05/);
  c.send(frame('Z0,80000000,2'));
  await c.expectPacket(/^OK$/);
  c.send(frame('D'));
  await c.expectPacket(/^OK$/);
  const result = await run.done;
  c.close();
  expect(result.code).toBe(0);
  expect(result.stdout).toBe('guest ran to the end\n');
}, 60_000);

test('a hart stuck in a trap storm is shown to the debugger as a fault (SIGSEGV), not ended', async () => {
  const junk = path.join(dir, 'junk.bin');
  fs.writeFileSync(junk, Buffer.alloc(4096, 0xff));
  const run = await startBoot(['--bios', 'none', '--kernel', junk, '--gdb-wait']);
  const c = new Client(run.port);
  c.send(frame('?'));
  await c.expectPacket(/^T05/);
  c.send(frame('c'));
  await c.expectPacket(/^T0bthread:01;$/);
  c.send(frame('p20')); // pc: the trap vector it keeps faulting at
  expect(await c.expectPacket(/^[0-9a-f]{16}$/)).toBe('0000000000000000');
  c.send(frame('k'));
  const result = await run.done;
  c.close();
  expect(result.stderr).toMatch(/hart stuck/);
  expect(result.code).toBe(0);
}, 60_000);
