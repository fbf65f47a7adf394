// `devirt boot` on the network: --nic and --net-udp, and QEMU's -netdev socket / -device
// virtio-net-device / -nic spelled as QEMU takes them (translated to those two flags, with QEMU's
// default MACs and slot placement). Bad values are one line on stderr and exit 2. The UDP
// exchange itself, against QEMU, is test/guests/net-echo.test.ts.
import { spawnSync } from 'child_process';
import * as dgram from 'dgram';
import * as path from 'path';
import { KnownOption, translateQemuArgs } from '../../cli/qemu-args';
import { CliError } from '../../cli/exit-codes';
import * as fs from 'fs';
import * as os from 'os';
import { readPcap } from '../../reference/tools/pcap';
import { decode } from '../../reference/tools/net-frames';

const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin/devirt.js');
const ECHO = path.join(ROOT, 'reference/guests/net/build/net-echo.elf');

const boot = (args: string[]) => spawnSync(process.execPath, [BIN, 'boot', ...args], { encoding: 'latin1', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });

function bootOptions(): Map<string, KnownOption> {
  const { Command } = require('commander') as typeof import('commander');
  const { registerBoot } = require('../../cli/boot') as typeof import('../../cli/boot');
  const program = new Command();
  registerBoot(program);
  const b = program.commands.find((c) => c.name() === 'boot')!;
  return new Map(b.options.filter((o) => o.long).map((o) => [o.long!, { takesValue: o.required || o.optional }]));
}
const KNOWN = bootOptions();
const translate = (args: string[], notes: string[] = []) => translateQemuArgs(['-kernel', 'k', '-global', 'virtio-mmio.force-legacy=false', ...args], KNOWN, notes);
const NET = ['-netdev', 'socket,id=n0,udp=127.0.0.1:5555,localaddr=127.0.0.1:5556'];

describe('QEMU\'s network options', () => {
  test('-netdev socket,udp=,localaddr= with -device virtio-net-device becomes --nic and --net-udp', () => {
    expect(translate([...NET, '-device', 'virtio-net-device,netdev=n0'])).toEqual(
      ['--kernel', 'k', '--nic', '52:54:00:12:34:56,slot=7', '--net-udp', '127.0.0.1:5555,localaddr=127.0.0.1:5556']);
    // QEMU creates every -netdev before the devices: the order on the line does not matter.
    expect(translate(['-device', 'virtio-net-device,netdev=n0', ...NET])).toContain('--net-udp');
  });

  test('disks and cards share QEMU\'s placement in line order; mac= and bus= are kept; default MACs skip used ones', () => {
    const notes: string[] = [];
    const out = translate(['-drive', 'file=d.img,if=none,format=raw,id=d0', '-device', 'virtio-blk-device,drive=d0',
      '-device', 'virtio-net-device,mac=52:54:00:12:34:56,bus=virtio-mmio-bus.2', ...NET, '-device', 'virtio-net-device,netdev=n0'], notes);
    // QEMU 7.2's qemu_macaddr_default_if_unset: the lowest 52:54:00:12:34:XX from 0x56 not in use.
    expect(out).toEqual(['--kernel', 'k', '--drive', 'd.img,slot=7', '--nic', '52:54:00:12:34:56,slot=2', '--nic', '52:54:00:12:34:57,slot=6',
      '--net-udp', '127.0.0.1:5555,localaddr=127.0.0.1:5556']);
    expect(notes.join('\n')).toMatch(/every network card on one Ethernet switch/);
  });

  test('-nic socket,...,model=virtio-net-device is a netdev and its card; an unused -netdev connects nothing', () => {
    expect(translate(['-nic', 'socket,udp=127.0.0.1:1,localaddr=127.0.0.1:2,model=virtio-net-device,mac=02:00:00:00:00:01'])).toEqual(
      ['--kernel', 'k', '--nic', '02:00:00:00:00:01,slot=7', '--net-udp', '127.0.0.1:1,localaddr=127.0.0.1:2']);
    const notes: string[] = [];
    expect(translate(NET, notes)).toEqual(['--kernel', 'k']);
    expect(notes).toEqual(['-netdev id=n0 is attached to no device, as on QEMU (no network connection is made)']);
  });

  test('-netdev user,hostfwd=udp:... (slirp\'s UDP forwarding, as many rules as given) becomes --net-forward', () => {
    expect(translate(['-netdev', 'user,id=n0,hostfwd=udp:127.0.0.1:5555-:7,hostfwd=udp::6000-10.0.2.15:8', '-device', 'virtio-net-device,netdev=n0'])).toEqual(
      ['--kernel', 'k', '--nic', '52:54:00:12:34:56,slot=7', '--net-forward', 'udp:127.0.0.1:5555-:7', '--net-forward', 'udp::6000-10.0.2.15:8']);
    expect(translate(['-nic', 'user,model=virtio-net-device,hostfwd=udp::7-:7'])).toEqual(['--kernel', 'k', '--nic', '52:54:00:12:34:56,slot=7', '--net-forward', 'udp::7-:7']);
  });

  test('-object filter-dump,...,file=F becomes --net-dump F; other objects are refused', () => {
    expect(translate([...NET, '-device', 'virtio-net-device,netdev=n0', '-object', 'filter-dump,id=f0,netdev=n0,file=net.pcap'])).toContain('--net-dump');
    expect(translate(['-object', 'filter-dump,id=f0,netdev=n0,file=net.pcap'])).toEqual(['--kernel', 'k', '--net-dump', 'net.pcap']);
    const refusal = (args: string[]) => { try { translate(args); } catch (e) { if (e instanceof CliError) return e.message; throw e; } return 'accepted'; };
    expect(refusal(['-object', 'memory-backend-ram,id=m0,size=1G'])).toMatch(/^-object: 'memory-backend-ram': devirt has no QEMU objects but filter-dump/);
    expect(refusal(['-object', 'filter-dump,id=f0,netdev=n0,file=a,maxlen=64'])).toMatch(/^-object: filter-dump property 'maxlen' is not supported/);
  });

  test('what the platform cannot do is refused with one line', () => {
    const refusal = (args: string[]) => { try { translate(args); } catch (e) { if (e instanceof CliError) return e.message; throw e; } return 'accepted'; };
    expect(refusal(['-netdev', 'tap,id=n0'])).toMatch(/^-netdev: 'tap': the platform's network backends are socket,udp=HOST:PORT,localaddr=HOST:PORT \(QEMU's datagram socket\) and user,hostfwd=udp:/);
    expect(refusal(['-netdev', 'user,id=n0,net=10.1.0.0/24'])).toMatch(/^-netdev: user property 'net' is not supported/);
    expect(refusal(['-netdev', 'socket,id=n0,mcast=230.0.0.1:1234'])).toBe('-netdev: socket mcast=: devirt connects over UDP only (udp=HOST:PORT,localaddr=HOST:PORT)');
    expect(refusal(['-netdev', 'socket,udp=h:1,localaddr=h:2'])).toBe('-netdev: needs an id= for -device virtio-net-device,netdev=ID');
    expect(refusal(['-device', 'virtio-net-device,speed=100'])).toMatch(/^-device: virtio-net-device property 'speed' is not supported/);
    expect(refusal(['-device', 'virtio-net-device,mac=zz'])).toMatch(/^-device: mac=zz is not a MAC address/);
    expect(refusal(['-net', 'nic'])).toMatch(/^-net: the legacy -net option is not supported/);
  });
});

describe('devirt boot --nic / --net-udp', () => {
  test('a card after a drive takes the next slot down; a guest waiting for frames with no link is idle (exit 124)', () => {
    const r = boot(['--bios', 'none', '--kernel', ECHO, '--drive', ECHO, '--nic', '02:00:00:00:00:09']);
    expect(r.stdout).toBe('net-echo: virtio-net in slot 6 (virtio-mmio version 2, 12-byte header), mac 02:00:00:00:00:09, ip 10.0.2.15\n');
    expect(r.status).toBe(124);
    expect(r.stderr).toMatch(/^devirt: guest is waiting for an interrupt that can never come/);
    const q = boot(['-M', 'virt', '-bios', 'none', '-kernel', ECHO, '-device', 'virtio-net-device,bus=virtio-mmio-bus.0']);
    expect(q.stdout).toMatch(/^net-echo: virtio-net in slot 0 \(virtio-mmio version 1, 10-byte header\), mac 52:54:00:12:34:56/);
  });

  test('bad values are one line and exit 2', () => {
    const cases: [string[], RegExp][] = [
      [['--nic', 'bogus'], /^devirt: --nic: 'bogus' is not a MAC address \(six hex octets, 52:54:00:12:34:56\) or auto\n$/],
      [['--nic', '01:00:5e:00:00:01'], /^devirt: --nic: 01:00:5e:00:00:01 is a multicast address/],
      [['--nic', 'auto,slot=9'], /^devirt: --nic auto,slot=9: bus virtio-mmio-bus\.9 does not exist/],
      [['--nic', 'auto,slot=7', '--drive', ECHO + ',slot=7'], /already holds a device/],
      [['--net-udp', '127.0.0.1'], /^devirt: --net-udp: '127\.0\.0\.1' is not HOST:PORT/],
      [['--net-udp', '127.0.0.1:5,bind=1'], /^devirt: --net-udp: 'bind=1' is not localaddr=HOST:PORT\n$/],
      [['--net-forward', 'udp:5555:7'], /^devirt: --net-forward: 'udp:5555:7' is not udp:\[HOSTADDR\]:HOSTPORT-\[GUESTADDR\]:GUESTPORT\n$/],
      [['--net-forward', 'tcp::2222-:22'], /^devirt: --net-forward: 'tcp::2222-:22': devirt forwards UDP only\n$/],
      [['--net-forward', 'udp::5555-10.0.2:7'], /^devirt: --net-forward: guest address '10\.0\.2' in 'udp::5555-10\.0\.2:7' is not an IPv4 address\n$/],
      [['--net-forward', 'udp::5555-:7', '--net-udp', '127.0.0.1:9'], /^devirt: --net-forward: cannot be combined with --net-udp/],
      [['--net-dump', '/nonexistent-dir/x.pcap', '--nic', 'auto'], /^devirt: --net-dump: cannot write \/nonexistent-dir\/x\.pcap: /],
      [['--net-dump', 'x.pcap'], /^devirt: --net-dump: the machine has no network card/],
    ];
    for (const [args, message] of cases) {
      const r = boot(['--bios', 'none', '--kernel', ECHO, ...args]);
      expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({ status: 2, stderr: expect.stringMatching(message), stdout: '' });
    }
  });

  test('with a link, a guest idle in wfi waits for the host; SIGTERM ends the wait (exit 143)', async () => {
    const { spawn } = require('child_process') as typeof import('child_process');
    const child = spawn(process.execPath, [BIN, 'boot', '--bios', 'none', '--kernel', ECHO, '--net-forward', 'udp:127.0.0.1:0-:7'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.stderr.on('data', (d: Buffer) => { err += d; });
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', (c) => resolve(c));
      // Up and idle (its line printed), then still running a moment later: waiting, not ended with 124.
      const poll = setInterval(() => {
        if (!/ip 10\.0\.2\.15/.test(out)) return;
        clearInterval(poll);
        setTimeout(() => child.kill('SIGTERM'), 300);
      }, 50);
    });
    expect(code).toBe(143);
    expect(err).toMatch(/devirt: network: card 52:54:00:12:34:56 on the switch; the host is the gateway 10\.0\.2\.2; forwarding udp 127\.0\.0\.1:\d+ -> 10\.0\.2\.15:7/);
    expect(err).toMatch(/devirt: stopped by SIGTERM/);
  });

  test('--net-dump writes every frame on the switch as pcap, stamped with guest time; a plain UDP client talks through --net-forward', async () => {
    const { spawn } = require('child_process') as typeof import('child_process');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-net-dump-'));
    const file = path.join(dir, 'net.pcap');
    try {
      const child = spawn(process.execPath, [BIN, 'boot', '--bios', 'none', '--kernel', ECHO, '--net-forward', 'udp:127.0.0.1:0-:7', '--net-dump', file], { stdio: ['ignore', 'pipe', 'pipe'] });
      const client = dgram.createSocket('udp4');
      const replies: string[] = [];
      let err = '';
      child.stderr.on('data', (d: Buffer) => {
        err += d;
        const m = /forwarding udp 127\.0\.0\.1:(\d+)/.exec(err);
        if (m && !replies.length && !client.listenerCount('message')) {
          client.on('message', (msg) => { replies.push(msg.toString()); if (replies.length === 1) client.send('quit', Number(m[1]), '127.0.0.1'); });
          client.send('hello', Number(m[1]), '127.0.0.1');
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      client.close();
      expect(code).toBe(0);
      expect(replies).toEqual(['hello', 'bye']);
      const records = readPcap(new Uint8Array(fs.readFileSync(file)));
      const what = records.map((r) => { const d = decode(r.frame); return d.kind === 'udp' ? `udp ${Buffer.from(d.udp.payload).toString()} ${d.udp.dstPort === 7 ? 'in' : 'out'}` : d.kind === 'arp' ? `arp ${d.arp.op}` : d.kind; });
      expect(what).toEqual(['arp 1', 'arp 2', 'udp hello in', 'udp hello out', 'udp quit in', 'udp bye out']);
      // Guest time only moves forward; the reply follows its request within the same idle period.
      expect(records.every((r, i) => i === 0 || r.ticks >= records[i - 1].ticks)).toBe(true);
      expect(records.every((r) => r.length === r.frame.length)).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a local address already in use is refused, naming it', async () => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    try {
      const port = s.address().port;
      const r = boot(['--bios', 'none', '--kernel', ECHO, '--net-udp', `127.0.0.1:9,localaddr=127.0.0.1:${port}`]);
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 2, stderr: `devirt: --net-udp: cannot bind UDP 127.0.0.1:${port}: EADDRINUSE\n` });
    } finally {
      s.close();
    }
  });
});
