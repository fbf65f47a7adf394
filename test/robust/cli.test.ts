// Bad input as a new user meets it, through the compiled command line: every case ends with one
// line on stderr naming the file, field or value, and the documented exit code; never a stack
// trace or an internal error. Plus what an interrupted command leaves behind.

import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Asm, elf, RAM } from '../cli/images';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/devirt.js');
const LIAR = path.join(ROOT, 'test/robust/liar.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-robust-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Outcome { status: number | null; stdout: string; stderr: string }
function devirt(args: string[]): Outcome {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir, input: '', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
function write(name: string, data: string | Uint8Array): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  return p;
}
/** One line on stderr, prefixed, naming what is wrong; the exit code; no stack trace. */
function expectOneLine(r: Outcome, status: number, names: RegExp): void {
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status, stderr: expect.stringMatching(/^devirt: [^\n]*\n$/) });
  expect(r.stderr).toMatch(names);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
}

// A vectors folder with one small valid file, copied from the committed suite.
const vectors = path.join(dir, 'vectors');
const addFile = fs.readFileSync(path.join(ROOT, 'vectors/isa/add.json'), 'utf8');
const oneVector = (() => {
  const doc = JSON.parse(addFile);
  return { ...doc, vectors: doc.vectors.slice(0, 3) };
})();
write('vectors/isa/add.json', JSON.stringify(oneVector));

describe('devirt run: bad flags are usage errors (exit 2) naming the flag and value', () => {
  test.each([
    [['--jobs', '0'], /--jobs: bad value '0'/],
    [['--jobs', '99999999999999999999'], /--jobs: bad value/],
    [['--shard', '3/2'], /--shard: bad value '3\/2'/],
    [['--shard', 'x'], /--shard: bad value 'x'/],
    [['--reporter', 'foo'], /--reporter.*'foo' is invalid/],
    [['--timeout', '-1'], /--timeout: bad value '-1'/],
    [['--timeout', '3000000000'], /--timeout: bad value '3000000000' \(at most 2147483647 ms\)/],
    [['--bogus'], /unknown option '--bogus'/],
    [['stray'], /too many arguments for 'run'/],
    [['--vectors', path.join(dir, 'nowhere')], /--vectors: no directory .*nowhere/],
    [['--filter', 'no-such-vector'], /--filter: no vector matches 'no-such-vector'/],
    [['--out', path.join(dir, 'nowhere/report.tap')], /--out: no directory .*nowhere/],
  ])('%j', (args, names) => expectOneLine(devirt(['run', '--vectors', vectors, ...args]), 2, names));

  test('an empty vectors folder is an error, not a pass with 0 vectors', () => {
    fs.mkdirSync(path.join(dir, 'empty'), { recursive: true });
    expectOneLine(devirt(['run', '--vectors', path.join(dir, 'empty')]), 2, /no vector files .*empty/);
  });

  test('an expected-failure list that is garbage names the file and line, on one line', () => {
    const bin = write('garbage.txt', Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff));
    expectOneLine(devirt(['run', '--vectors', vectors, '--expect-fail', bin]), 2, /garbage\.txt:1: '.*' is not a vector id/);
    expectOneLine(devirt(['run', '--vectors', vectors, '--expect-fail', dir]), 2, /--expect-fail: cannot read .*: it is a folder, not a file\n$/);
  });
});

describe('devirt run: broken vector files are error results naming the file (and the field), the rest still run', () => {
  test('missing, empty, truncated, garbage, unreadable and a wrong field deep inside', () => {
    const v = path.join(dir, 'broken');
    write('broken/isa/add.json', JSON.stringify(oneVector));
    write('broken/isa/empty.json', '');
    write('broken/isa/truncated.json', addFile.slice(0, 500));
    write('broken/isa/garbage.json', Uint8Array.from({ length: 200 }, (_, i) => (i * 91 + 3) & 0xff));
    fs.symlinkSync(path.join(dir, 'no-such-file'), path.join(v, 'isa/dangling.json'));
    const deep = JSON.parse(JSON.stringify(oneVector));
    deep.vectors[1].inputs.memory[0].words[1] = 5;
    write('broken/isa/deep.json', JSON.stringify(deep));
    const r = devirt(['run', '--vectors', v, '--reporter', 'json', '--jobs', '1']);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    const errors = JSON.parse(r.stdout).results.filter((x: { kind: string }) => x.kind === 'error').map((x: { reason: string }) => x.reason);
    expect(errors).toEqual(expect.arrayContaining([
      expect.stringMatching(/^isa\/empty\.json: .*not JSON/),
      expect.stringMatching(/^isa\/truncated\.json: .*not JSON/),
      expect.stringMatching(/^isa\/garbage\.json: .*not JSON/),
      expect.stringMatching(/^isa\/dangling\.json: .*cannot read: no such file/),
      expect.stringMatching(/^isa\/deep\.json: isa-[0-9a-f]+: \/inputs\/memory\/0\/words\/1: must be string \(value 5\)/),
    ]));
    expect(errors).toHaveLength(5);
    for (const e of errors) expect(e).toMatch(/^[\x20-\x7e]*$/);
  });
});

describe('devirt run --impl-cmd: a lying or broken implementation', () => {
  const liar = (mode: string) => `node ${JSON.stringify(LIAR)} ${mode}`;
  test.each([
    ['/nonexistent/emulator', /exited with code 127 .*not found.* before its handshake/],
    ['true', /exited with code 0 before its handshake/],
    ['echo garbage', /handshake is not JSON: "garbage"/],
    [liar('protocol-2'), /bad handshake: \/protocol: must be 1 \(value 2\)/],
    [liar('no-version'), /bad handshake: \/version: is required/],
  ])('a handshake from %j is a usage error', (cmd, names) => {
    expectOneLine(devirt(['run', '--vectors', vectors, '--impl-cmd', cmd, '--timeout', '2000', '--jobs', '1']), 2, /--impl-cmd: /);
    expect(devirt(['run', '--vectors', vectors, '--impl-cmd', cmd, '--timeout', '2000', '--jobs', '1']).stderr).toMatch(names);
  });

  test.each([
    ['wrong-id', 'crash', /reply for isa-0000000000000000 to a request for isa-/],
    ['twice', 'crash', /reply|unsolicited|malformed/],
    ['garbage', 'crash', /malformed reply/],
    ['noisy', 'error', /the implementation reported: noisy/],
    ['endless', 'crash', /malformed reply \(not JSON\): "\(a line of more than 67108864 characters\)"/],
  ])('%s: each vector gets a result, and the run goes on', (mode, kind, reason) => {
    const r = devirt(['run', '--vectors', vectors, '--impl-cmd', liar(mode), '--reporter', 'json', '--jobs', '1', '--timeout', '5000']);
    expect(r.status).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.total.total).toBe(3);
    const kinds = doc.results.map((x: { kind: string }) => x.kind);
    expect(kinds).toContain(kind);
    expect(doc.results.map((x: { reason: string }) => x.reason).join('\n')).toMatch(reason);
  });
});

test('control characters from a vector file or an implementation keep the JUnit XML well formed', () => {
  const r = devirt(['run', '--vectors', vectors, '--impl-cmd', `node ${JSON.stringify(LIAR)} control`, '--reporter', 'junit', '--jobs', '1']);
  expect(r.status).toBe(1);
  expect(r.stdout).toContain('bad\\u0001byte');
  expect(r.stdout).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
});

describe('devirt boot: bad images and flags are one line and exit 2', () => {
  const ok = new Asm().print('hi\n').pass().bytes();
  const good = elf([{ addr: RAM, data: ok }]);
  const patched = (at: number, byte: number) => { const b = Uint8Array.from(good); b[at] = byte; return b; };
  test.each([
    ['empty.elf', new Uint8Array(0), /empty\.elf is empty \(0 bytes\)/],
    ['truncated.elf', good.slice(0, 40), /truncated\.elf: truncated ELF header/],
    ['rv32.elf', patched(4, 1), /rv32\.elf: not a 64-bit ELF/],
    ['big-endian.elf', patched(5, 2), /big-endian\.elf: not little-endian/],
    ['x86.elf', elf([{ addr: RAM, data: ok }], { machine: 62 }), /x86\.elf: not a RISC-V ELF \(e_machine=62/],
    ['overlap.elf', elf([{ addr: RAM, data: ok }, { addr: RAM + 4, data: ok }]), /overlap\.elf: segment at 0x80000004 .* overlaps .*overlap\.elf: segment at 0x80000000/],
    ['absurd.elf', elf([{ addr: RAM, data: ok, memsz: 2 ** 50 }]), /absurd\.elf: segment at 0x80000000 .*RAM/],
    ['text.txt', 'not a kernel\n', /text\.txt: not an ELF file, and not a raw image/],
  ])('%s', (name, data, names) => expectOneLine(devirt(['boot', '--bios', 'none', '--kernel', write(name, data)]), 2, names));

  test('a kernel over the firmware is refused, naming both', () => {
    expectOneLine(devirt(['boot', '--kernel', write('at-ram-base.elf', good)]), 2, /at-ram-base\.elf: segment at 0x80000000 .* overlaps .*microvisor\.elf/);
  });

  test.each([
    [['--mem', '12Q'], /--mem: bad size '12Q'/],
    [['--mem', '0'], /--mem: bad memory size 0/],
    [['--max-insns', '-1'], /--max-insns: bad count '-1'/],
    [['--drive', dir], /--drive: cannot open .*: it is a folder, not a file\n$/],
    [['--drive', path.join(dir, 'no-disk.img')], /--drive: .*no-disk\.img does not exist/],
    [['--bios', dir], /--bios: .* is not a file/],
  ])('%j', (args, names) => expectOneLine(devirt(['boot', '--kernel', write('good.elf', good), ...args]), 2, names));

  test('random bytes as a raw image: whatever they do is the guest\'s business, until the hart is stuck in a trap storm (125)', () => {
    // These bytes fault at once and the trap goes to mtvec 0, where nothing can be fetched.
    const r = devirt(['boot', '--bios', 'none', '--kernel', write('noise.bin', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24)), '--max-insns', '50000']);
    expectOneLine(r, 125, /hart stuck: it takes the same trap over and over/);
  });
});

/** Start devirt, wait until `ready` says so, send `signal`, and collect the outcome. */
function interrupt(args: string[], ready: (stdout: string) => boolean, signal: NodeJS.Signals, env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', sent = false;
    const poll = setInterval(() => { if (!sent && ready(stdout)) { sent = true; p.kill(signal); } }, 20);
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (status) => { clearInterval(poll); resolve({ status, stdout, stderr }); });
  });
}

describe('nothing written is lost when a command is interrupted', () => {
  test('devirt boot: SIGTERM stops the guest with its output flushed and the drive synced (143)', async () => {
    const disk = write('disk.img', new Uint8Array(4096));
    const spin = write('spin.elf', elf([{ addr: RAM, data: new Asm().print('running\n').spin().bytes() }]));
    const r = await interrupt(['boot', '--bios', 'none', '--kernel', spin, '--drive', disk], (out) => out.includes('running'), 'SIGTERM');
    expect(r).toEqual({ status: 143, stdout: 'running\n', stderr: expect.stringMatching(/^devirt: stopped by SIGTERM \(pc 0x8[0-9a-f]+\); console and disk flushed\n$/) });
  });

  test('devirt run --out: SIGINT half way writes a well-formed partial report (130), through a rename', async () => {
    // 300 vectors (three chunks of 100) on a slow implementation; the signal comes during the first.
    const many = JSON.parse(addFile);
    write('many/isa/add.json', JSON.stringify({ ...many, vectors: many.vectors.slice(0, 300) }));
    const out = path.join(dir, 'partial.json');
    fs.writeFileSync(out, 'previous report');
    const mark = path.join(dir, 'started');
    const r = await interrupt(['run', '--vectors', path.join(dir, 'many'), '--impl-cmd', `node ${JSON.stringify(LIAR)} slow`, '--reporter', 'json', '--jobs', '1', '--out', out],
      () => fs.existsSync(mark), 'SIGINT', { LIAR_MARK: mark });
    expect(r.status).toBe(130);
    expect(r.stderr).toMatch(/interrupted by SIGINT: the report is partial/);
    const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(doc.total.total).toBe(300);
    const notRun = doc.results.filter((x: { reason?: string }) => /not run: the run was interrupted \(SIGINT\)/.test(x.reason ?? '')).length;
    expect(notRun).toBeGreaterThanOrEqual(100);
    expect(doc.total.error + notRun).toBe(300);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

/** Start devirt and close its stdout after the first output, as `| head -1` does. */
function closeStdoutEarly(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    p.stdout.once('data', (d) => { stdout += d; p.stdout.destroy(); });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('a reader that goes away (| head) ends the command quietly with SIGPIPE\'s status (141)', () => {
  test('devirt boot, a guest printing forever', async () => {
    const chatty = write('chatty.elf', elf([{ addr: RAM, data: new Asm().print('0123456789abcdefghijklmnopqrstuvwxyz\n').beq(0, 0, 0).bytes() }]));
    const r = await closeStdoutEarly(['boot', '--bios', 'none', '--kernel', chatty, '--max-insns', '100000000']);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 141, stderr: '' });
  });

  test('devirt boot with a slow reader: the guest waits for the pipe, nothing is lost', async () => {
    const chatty = write('chatty2.elf', elf([{ addr: RAM, data: new Asm().print('0123456789abcdefghijklmnopqrstuvwxyz\n').beq(0, 0, 0).bytes() }]));
    const r = await new Promise<Outcome>((resolve) => {
      const p = spawn(process.execPath, [BIN, 'boot', '--bios', 'none', '--kernel', chatty, '--max-insns', '2000000'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '', stderr = '';
      p.stdout.pause(); // the pipe fills up before anyone reads
      setTimeout(() => { p.stdout.on('data', (d) => { stdout += d; }); p.stdout.resume(); }, 1000);
      p.stderr.on('data', (d) => { stderr += d; });
      p.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/^devirt: stopped after --max-insns 2000000/);
    const lines = r.stdout.split('\n');
    expect(lines.length).toBeGreaterThan(5000); // far more than a pipe holds
    expect(lines.slice(0, -1).every((l) => l === '0123456789abcdefghijklmnopqrstuvwxyz')).toBe(true);
  });

  test('devirt run, a report larger than the pipe', async () => {
    // A few thousand quick vectors: a TAP stream of several hundred kB.
    for (const f of ['add', 'sub', 'xor', 'or', 'and', 'sll', 'srl', 'sra', 'slt', 'sltu', 'addw', 'subw']) {
      write(`big/isa/${f}.json`, fs.readFileSync(path.join(ROOT, `vectors/isa/${f}.json`)));
    }
    const r = await closeStdoutEarly(['run', '--vectors', path.join(dir, 'big'), '--reporter', 'tap', '--jobs', '1']);
    expect(r.status).toBe(141);
    expect(r.stderr).not.toMatch(/internal error|Unhandled|\n\s+at /);
  });
});
