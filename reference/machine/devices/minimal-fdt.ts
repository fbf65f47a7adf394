// Interim device tree for the platform: a compact DTB (v17) writer and the tree QEMU virt
// describes for one hart, so firmware and kernels find memory, the CPU, CLINT, PLIC, UART,
// finisher, RTC, doorbell and the virtio slots.

import * as M from './minimal';

type Prop = number | number[] | string | string[] | Uint8Array | bigint[];
interface Node { name: string; props: [string, Prop][]; children: Node[] }

const node = (name: string, props: [string, Prop][], children: Node[] = []): Node => ({ name, props, children });

function propBytes(v: Prop): Buffer {
  if (typeof v === 'number') { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; }
  if (typeof v === 'string') return Buffer.from(v + '\0', 'latin1');
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (v.length && typeof v[0] === 'string') return Buffer.from((v as string[]).map((s) => s + '\0').join(''), 'latin1');
  if (v.length && typeof v[0] === 'bigint') {
    const b = Buffer.alloc(8 * v.length);
    (v as bigint[]).forEach((x, i) => b.writeBigUInt64BE(x, 8 * i));
    return b;
  }
  const b = Buffer.alloc(4 * v.length);
  (v as number[]).forEach((x, i) => b.writeUInt32BE(x >>> 0, 4 * i));
  return b;
}

export function writeDtb(root: Node): Uint8Array {
  const strings: string[] = [];
  const stringOff = new Map<string, number>();
  let strSize = 0;
  const nameOff = (n: string) => {
    let o = stringOff.get(n);
    if (o === undefined) { o = strSize; stringOff.set(n, o); strings.push(n); strSize += n.length + 1; }
    return o;
  };
  const words: Buffer[] = [];
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); words.push(b); };
  const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
  const emit = (n: Node) => {
    u32(1); // FDT_BEGIN_NODE
    words.push(pad(Buffer.from(n.name + '\0', 'latin1')));
    for (const [k, v] of n.props) {
      const data = propBytes(v);
      u32(3); u32(data.length); u32(nameOff(k));
      words.push(pad(data));
    }
    for (const c of n.children) emit(c);
    u32(2); // FDT_END_NODE
  };
  emit(root);
  u32(9); // FDT_END
  const struct = Buffer.concat(words);
  const strBlock = Buffer.from(strings.map((s) => s + '\0').join(''), 'latin1');
  const headerSize = 40;
  const rsvOff = headerSize;
  const rsv = Buffer.alloc(16); // one empty reservation entry terminates the map
  const structOff = rsvOff + rsv.length;
  const stringsOff = structOff + struct.length;
  const total = stringsOff + strBlock.length;
  const h = Buffer.alloc(headerSize);
  [0xd00dfeed, total, structOff, stringsOff, rsvOff, 17, 16, 0, strBlock.length, struct.length].forEach((v, i) => h.writeUInt32BE(v, i * 4));
  return new Uint8Array(Buffer.concat([h, rsv, struct, strBlock]));
}

export interface TreeOptions {
  ramSize: number;
  bootargs?: string;
  virtioSlotsWithDevices?: number[];
  reservedMemory?: { base: number; size: number; name: string }[];
}

const cells64 = (v: number) => [Math.floor(v / 4294967296), v % 4294967296];

export function buildDeviceTree(o: TreeOptions): Uint8Array {
  const CPU_INTC = 1, PLIC = 2;
  const reg = (base: number, size: number) => [...cells64(base), ...cells64(size)];
  const virtio: Node[] = [];
  for (let i = M.VIRTIO_COUNT - 1; i >= 0; i--) {
    const base = M.VIRTIO_BASE + i * M.VIRTIO_STRIDE;
    virtio.push(node(`virtio_mmio@${base.toString(16)}`, [
      ['interrupts', M.VIRTIO_IRQ0 + i], ['interrupt-parent', PLIC], ['reg', reg(base, 0x1000)], ['compatible', 'virtio,mmio'],
    ]));
  }
  const chosen: [string, Prop][] = [['stdout-path', '/soc/serial@10000000']];
  if (o.bootargs) chosen.push(['bootargs', o.bootargs]);
  const children: Node[] = [
    node('chosen', chosen),
    node(`memory@${M.RAM_BASE.toString(16)}`, [['device_type', 'memory'], ['reg', reg(M.RAM_BASE, o.ramSize)]]),
    node('cpus', [['#address-cells', 1], ['#size-cells', 0], ['timebase-frequency', M.TIMEBASE]], [
      node('cpu@0', [
        ['phandle', 3], ['device_type', 'cpu'], ['reg', 0], ['status', 'okay'], ['compatible', 'riscv'],
        ['riscv,isa', 'rv64imac_zicsr_zifencei_sstc'], ['mmu-type', 'riscv,sv39'],
      ], [node('interrupt-controller', [['#interrupt-cells', 1], ['interrupt-controller', new Uint8Array(0)], ['compatible', 'riscv,cpu-intc'], ['phandle', CPU_INTC]])]),
    ]),
    node('soc', [['#address-cells', 2], ['#size-cells', 2], ['compatible', 'simple-bus'], ['ranges', new Uint8Array(0)]], [
      node(`rtc@${M.RTC_BASE.toString(16)}`, [['interrupts', M.RTC_IRQ], ['interrupt-parent', PLIC], ['reg', reg(M.RTC_BASE, 0x1000)], ['compatible', 'google,goldfish-rtc']]),
      node(`serial@${M.UART0_BASE.toString(16)}`, [['interrupts', M.UART0_IRQ], ['interrupt-parent', PLIC], ['clock-frequency', 0x384000], ['reg', reg(M.UART0_BASE, 0x100)], ['compatible', 'ns16550a']]),
      node(`test@${M.TEST_BASE.toString(16)}`, [['phandle', 4], ['reg', reg(M.TEST_BASE, 0x1000)], ['compatible', ['sifive,test1', 'sifive,test0', 'syscon']]]),
      node(`doorbell@${M.DOORBELL_BASE.toString(16)}`, [['reg', reg(M.DOORBELL_BASE, 0x1000)], ['compatible', 'devirt,doorbell']]),
      ...virtio,
      node(`plic@${M.PLIC_BASE.toString(16)}`, [
        ['phandle', PLIC], ['riscv,ndev', 0x5f], ['reg', reg(M.PLIC_BASE, 0x600000)],
        ['interrupts-extended', [CPU_INTC, 11, CPU_INTC, 9]], ['interrupt-controller', new Uint8Array(0)],
        ['compatible', ['sifive,plic-1.0.0', 'riscv,plic0']], ['#address-cells', 0], ['#interrupt-cells', 1],
      ]),
      node(`clint@${M.CLINT_BASE.toString(16)}`, [['interrupts-extended', [CPU_INTC, 3, CPU_INTC, 7]], ['reg', reg(M.CLINT_BASE, 0x10000)], ['compatible', ['sifive,clint0', 'riscv,clint0']]]),
    ]),
    node('poweroff', [['value', 0x5555], ['offset', 0], ['regmap', 4], ['compatible', 'syscon-poweroff']]),
    node('reboot', [['value', 0x7777], ['offset', 0], ['regmap', 4], ['compatible', 'syscon-reboot']]),
  ];
  if (o.reservedMemory?.length) {
    children.push(node('reserved-memory', [['#address-cells', 2], ['#size-cells', 2], ['ranges', new Uint8Array(0)]],
      o.reservedMemory.map((r) => node(`${r.name}@${r.base.toString(16)}`, [['reg', reg(r.base, r.size)], ['no-map', new Uint8Array(0)]]))));
  }
  return writeDtb(node('', [['#address-cells', 2], ['#size-cells', 2], ['compatible', 'riscv-virtio'], ['model', 'riscv-virtio,qemu']], children));
}
