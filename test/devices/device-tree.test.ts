// The device tree handed to software: read back with our own FDT reader, checked against the
// Devicetree specification's rules, decompiled with dtc when installed, and compared with the
// tree QEMU 7.2 virt itself generates when qemu-system-riscv64 is installed.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { buildDeviceTree } from '../../reference/machine/devices/device-tree';
import { FdtError, ParsedNode, findNode, propCells, propStrings, readDtb, writeDtb, fdtNode } from '../../reference/tools/fdt';
import { Machine } from '../../reference/machine/machine';

const MiB = 1 << 20;
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const str = (n: ParsedNode | undefined, p: string) => propStrings(n?.props.get(p))[0];
const tree = readDtb(buildDeviceTree({ ramSize: 128 * MiB, bootargs: 'console=ttyS0 quiet' }));

function walk(n: ParsedNode, f: (n: ParsedNode, path: string) => void, at = ''): void {
  f(n, at || '/');
  for (const c of n.children) walk(c, f, `${at}/${c.name}`);
}

describe('device tree', () => {
  test('root, memory and chosen', () => {
    expect(propCells(tree.props.get('#address-cells'))).toEqual([2]);
    expect(str(tree, 'compatible')).toBe('riscv-virtio');
    expect(propCells(findNode(tree, '/memory@80000000')?.props.get('reg'))).toEqual([0, 0x80000000, 0, 128 * MiB]);
    const chosen = findNode(tree, '/chosen');
    expect(str(chosen, 'stdout-path')).toBe('/soc/serial@10000000');
    expect(str(chosen, 'bootargs')).toBe('console=ttyS0 quiet');
    expect(findNode(tree, str(chosen, 'stdout-path'))).toBeDefined();
  });

  test('the CPU: ISA string and split binding, Sv39, 10 MHz timebase, its interrupt controller', () => {
    const cpus = findNode(tree, '/cpus');
    expect(propCells(cpus?.props.get('timebase-frequency'))).toEqual([10_000_000]);
    const cpu = findNode(tree, '/cpus/cpu@0')!;
    expect(str(cpu, 'riscv,isa')).toBe('rv64imac_zicsr_zifencei_sstc');
    expect(str(cpu, 'riscv,isa-base')).toBe('rv64i');
    expect(propStrings(cpu.props.get('riscv,isa-extensions'))).toEqual(['i', 'm', 'a', 'c', 'zicsr', 'zifencei', 'sstc']);
    expect(str(cpu, 'mmu-type')).toBe('riscv,sv39');
    expect(str(cpu, 'device_type')).toBe('cpu');
    const intc = findNode(tree, '/cpus/cpu@0/interrupt-controller')!;
    expect(str(intc, 'compatible')).toBe('riscv,cpu-intc');
    expect(intc.props.has('interrupt-controller')).toBe(true);
  });

  test('devices at QEMU virt addresses with their interrupts', () => {
    const soc = findNode(tree, '/soc')!;
    const plic = findNode(soc, 'plic@c000000')!;
    const intc = propCells(findNode(tree, '/cpus/cpu@0/interrupt-controller')!.props.get('phandle'))[0];
    expect(propCells(plic.props.get('riscv,ndev'))).toEqual([95]);
    expect(propCells(plic.props.get('interrupts-extended'))).toEqual([intc, 11, intc, 9]); // context 0 = M, 1 = S
    expect(propCells(findNode(soc, 'clint@2000000')!.props.get('interrupts-extended'))).toEqual([intc, 3, intc, 7]);
    const uart = findNode(soc, 'serial@10000000')!;
    expect(str(uart, 'compatible')).toBe('ns16550a');
    expect(propCells(uart.props.get('interrupts'))).toEqual([10]);
    expect(propCells(uart.props.get('clock-frequency'))).toEqual([3686400]);
    expect(propCells(findNode(soc, 'rtc@101000')!.props.get('interrupts'))).toEqual([11]);
    expect(str(findNode(soc, 'doorbell@102000'), 'compatible')).toBe('devirt,doorbell');
    expect(propStrings(findNode(soc, 'test@100000')!.props.get('compatible'))).toEqual(['sifive,test1', 'sifive,test0', 'syscon']);
    const virtio = soc.children.filter((c) => c.name.startsWith('virtio_mmio@'));
    expect(virtio.map((v) => v.name)).toEqual([8, 7, 6, 5, 4, 3, 2, 1].map((i) => `virtio_mmio@${(0x10000000 + i * 0x1000).toString(16)}`));
    expect(virtio.map((v) => propCells(v.props.get('interrupts'))[0])).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  });

  test('every phandle reference resolves; poweroff and reboot point at the finisher', () => {
    const handles = new Map<number, string>();
    walk(tree, (n, p) => { const h = n.props.get('phandle'); if (h) handles.set(propCells(h)[0], p); });
    const plic = [...handles].find(([, p]) => p.endsWith('plic@c000000'))![0];
    walk(tree, (n) => {
      const parent = n.props.get('interrupt-parent');
      if (parent) expect(propCells(parent)[0]).toBe(plic);
      const ext = propCells(n.props.get('interrupts-extended'));
      for (let i = 0; i < ext.length; i += 2) expect(handles.has(ext[i])).toBe(true);
    });
    for (const name of ['/poweroff', '/reboot']) {
      expect(handles.get(propCells(findNode(tree, name)!.props.get('regmap'))[0])).toBe('/soc/test@100000');
    }
    expect(propCells(findNode(tree, '/poweroff')!.props.get('value'))).toEqual([0x5555]);
    expect(propCells(findNode(tree, '/reboot')!.props.get('value'))).toEqual([0x7777]);
  });

  test('the machine places the tree where QEMU does and hands its address in a1 at reset', () => {
    for (const [ram, at] of [[128 * MiB, 0x87e00000], [64 * MiB, 0x83e00000], [2048 * MiB, 0xbfe00000]]) {
      const m = new Machine({ ramSize: ram, kernel: Uint8Array.of(0x6f, 0, 0, 0), kernelName: 'k.bin' });
      expect(m.fdtAddress).toBe(at);
      expect(readDtb(m.readBytes(BigInt(at), m.fdt.length)).children.length).toBeGreaterThan(3);
      m.run({ maxInsns: 8 });
      expect(m.hart.getX(11)).toBe(BigInt(at));
      expect(m.hart.getX(10)).toBe(0n);
    }
  });

  test('the reader rejects what is not a device tree', () => {
    expect(() => readDtb(new Uint8Array(10))).toThrow(FdtError);
    expect(() => readDtb(new Uint8Array(64))).toThrow(/magic/);
    const good = buildDeviceTree({ ramSize: MiB });
    expect(() => readDtb(good.slice(0, good.length - 40))).toThrow(FdtError);
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(56, 0x77); // first structure token
    expect(() => readDtb(bad)).toThrow(/token/);
    // Any truncation is an FdtError, never another exception.
    for (let n = 0; n < good.length; n += 7) {
      const cut = good.slice(0, n);
      if (n >= 8) new DataView(cut.buffer).setUint32(4, n);
      try { readDtb(cut); } catch (e) { expect(e).toBeInstanceOf(FdtError); }
    }
  });

  test('writer and reader agree on every value shape', () => {
    const t = readDtb(writeDtb(fdtNode('', [['a', 1], ['b', [1, 2]], ['c', 'x'], ['d', ['p', 'q']], ['e', new Uint8Array([9])], ['f', [1n << 40n]]])));
    expect(propCells(t.props.get('a'))).toEqual([1]);
    expect(propCells(t.props.get('b'))).toEqual([1, 2]);
    expect(propStrings(t.props.get('c'))).toEqual(['x']);
    expect(propStrings(t.props.get('d'))).toEqual(['p', 'q']);
    expect([...t.props.get('e')!]).toEqual([9]);
    expect(propCells(t.props.get('f'))).toEqual([0x100, 0]);
  });

  (has('dtc') ? test : test.skip)('dtc decompiles it with no more warnings than it gives for QEMU\'s own tree', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-fdt-'));
    const file = path.join(dir, 'virt.dtb');
    fs.writeFileSync(file, buildDeviceTree({ ramSize: 128 * MiB, bootargs: 'x' }));
    const r = spawnSync('dtc', ['-I', 'dtb', '-O', 'dts', file], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('compatible = "devirt,doorbell";');
    expect(r.stdout).toContain('riscv,isa = "rv64imac_zicsr_zifencei_sstc";');
    const warnings = r.stderr.split('\n').filter((l) => /Warning|Error/.test(l));
    // The one warning dtc also gives for QEMU 7.2's tree: the CPU's interrupt controller has no #address-cells.
    expect(warnings.every((w) => /interrupt_provider.*cpu@0\/interrupt-controller/.test(w))).toBe(true);
    fs.rmSync(dir, { recursive: true });
  });

  (has('qemu-system-riscv64') ? test : test.skip)('matches QEMU 7.2 virt\'s own tree node for node, except the documented differences', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'devirt-qemu-'));
    const file = path.join(dir, 'qemu.dtb');
    execFileSync('qemu-system-riscv64', ['-M', `virt,dumpdtb=${file}`, '-cpu', 'rv64,f=off,d=off,h=off', '-m', '128M', '-display', 'none'], { stdio: 'ignore' });
    const q = readDtb(new Uint8Array(fs.readFileSync(file)));
    fs.rmSync(dir, { recursive: true });
    const absentHere = /^(pmu|fw-cfg@|flash@|platform-bus@|pci@)/;
    const differ: Record<string, string[]> = {
      '/chosen': ['rng-seed'], // random per run on QEMU
      '/cpus/cpu@0': ['riscv,isa', 'mmu-type'], // QEMU's default CPU also has Zb*, Zihintpause and Sv48
      '/soc/plic@c000000': ['riscv,ndev'], // QEMU 7.2 writes 96, counting source 0
    };
    const compared: string[] = [];
    walk(q, (qn, p) => {
      if (p.split('/').some((part) => absentHere.test(part))) return;
      const ours = findNode(tree, p);
      expect({ path: p, present: ours !== undefined }).toEqual({ path: p, present: true });
      for (const [k, v] of qn.props) {
        if (differ[p]?.includes(k)) continue;
        expect({ path: p, prop: k, value: [...(ours!.props.get(k) ?? [])] }).toEqual({ path: p, prop: k, value: [...v] });
      }
      compared.push(p);
    });
    expect(compared.length).toBeGreaterThan(15);
    expect(str(findNode(q, '/cpus/cpu@0'), 'riscv,isa').startsWith('rv64imac_zicsr_zifencei')).toBe(true);
  });
});
