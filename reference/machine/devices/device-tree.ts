// The device tree the boot ROM hands to software in a1: QEMU 7.2 virt's tree for one hart with
// the reference's devices, in QEMU's node order and with QEMU's phandles, minus what the platform
// does not have (PCI, flash, fw-cfg, PMU, platform bus, the random rng-seed) plus the doorbell.
// conformance/platform.md lists every difference.

import { FdtNode, FdtValue, fdtNode as node, writeDtb } from '../../tools/fdt';
import * as M from './memory-map';
import { PLIC_SOURCES } from './plic';

export interface TreeOptions {
  ramSize: number;
  bootargs?: string;
  /** Where -initrd was loaded: /chosen linux,initrd-start and -end (32-bit cells, as QEMU 7.2 writes them). */
  initrd?: { start: number; end: number };
  reservedMemory?: { base: number; size: number; name: string }[];
}

/** The ISA as the device tree states it: QEMU 7.2's string form, and the newer split binding. */
export const ISA_STRING = 'rv64imac_zicsr_zifencei_sstc';
export const ISA_BASE = 'rv64i';
export const ISA_EXTENSIONS = ['i', 'm', 'a', 'c', 'zicsr', 'zifencei', 'sstc'];

// Interrupt numbers at the hart's interrupt controller (mip bits).
const IRQ_M_SOFT = 3, IRQ_M_TIMER = 7, IRQ_S_EXT = 9, IRQ_M_EXT = 11;
// QEMU's phandles.
const PH_CPU = 1, PH_CPU_INTC = 2, PH_PLIC = 3, PH_TEST = 4;

const cells64 = (v: number) => [Math.floor(v / 4294967296), v % 4294967296];
const reg = (base: number, size: number) => [...cells64(base), ...cells64(size)];
const empty = new Uint8Array(0);

/** What /chosen says about the kernel's command line and initrd (also set on a user's -dtb). */
export function chosenProps(o: Pick<TreeOptions, 'bootargs' | 'initrd'>): [string, FdtValue][] {
  const out: [string, FdtValue][] = [];
  if (o.bootargs) out.push(['bootargs', o.bootargs]);
  if (o.initrd) out.push(['linux,initrd-start', o.initrd.start], ['linux,initrd-end', o.initrd.end]);
  return out;
}

export function buildDeviceTree(o: TreeOptions): Uint8Array {
  const onPlic = (irq: number): [string, FdtValue][] => [['interrupts', irq], ['interrupt-parent', PH_PLIC]];
  const virtio: FdtNode[] = [];
  for (let slot = M.VIRTIO_COUNT - 1; slot >= 0; slot--) {
    const base = M.virtioSlotBase(slot);
    virtio.push(node(`virtio_mmio@${base.toString(16)}`, [...onPlic(M.virtioSlotIrq(slot)), ['reg', reg(base, M.VIRTIO_STRIDE)], ['compatible', 'virtio,mmio']]));
  }
  const chosen: [string, FdtValue][] = [['stdout-path', `/soc/serial@${M.UART0_BASE.toString(16)}`]];
  chosen.push(...chosenProps(o));
  const children: FdtNode[] = [
    node('chosen', chosen),
    node('poweroff', [['value', 0x5555], ['offset', 0], ['regmap', PH_TEST], ['compatible', 'syscon-poweroff']]),
    node('reboot', [['value', 0x7777], ['offset', 0], ['regmap', PH_TEST], ['compatible', 'syscon-reboot']]),
    node(`memory@${M.RAM_BASE.toString(16)}`, [['device_type', 'memory'], ['reg', reg(M.RAM_BASE, o.ramSize)]]),
    node('cpus', [['#address-cells', 1], ['#size-cells', 0], ['timebase-frequency', M.TIMEBASE]], [
      node('cpu@0', [
        ['phandle', PH_CPU], ['device_type', 'cpu'], ['reg', 0], ['status', 'okay'], ['compatible', 'riscv'],
        ['riscv,isa', ISA_STRING], ['riscv,isa-base', ISA_BASE], ['riscv,isa-extensions', ISA_EXTENSIONS],
        ['mmu-type', 'riscv,sv39'],
      ], [
        node('interrupt-controller', [['#interrupt-cells', 1], ['interrupt-controller', empty], ['compatible', 'riscv,cpu-intc'], ['phandle', PH_CPU_INTC]]),
      ]),
      node('cpu-map', [], [node('cluster0', [], [node('core0', [['cpu', PH_CPU]])])]),
    ]),
    node('soc', [['#address-cells', 2], ['#size-cells', 2], ['compatible', 'simple-bus'], ['ranges', empty]], [
      node(`rtc@${M.RTC_BASE.toString(16)}`, [...onPlic(M.RTC_IRQ), ['reg', reg(M.RTC_BASE, 0x1000)], ['compatible', 'google,goldfish-rtc']]),
      node(`serial@${M.UART0_BASE.toString(16)}`, [...onPlic(M.UART0_IRQ), ['clock-frequency', M.UART_CLOCK], ['reg', reg(M.UART0_BASE, M.UART0_SIZE)], ['compatible', 'ns16550a']]),
      node(`test@${M.TEST_BASE.toString(16)}`, [['phandle', PH_TEST], ['reg', reg(M.TEST_BASE, 0x1000)], ['compatible', ['sifive,test1', 'sifive,test0', 'syscon']]]),
      node(`doorbell@${M.DOORBELL_BASE.toString(16)}`, [['reg', reg(M.DOORBELL_BASE, 0x1000)], ['compatible', 'devirt,doorbell']]),
      // Only the firmware programs it (PMP denies it to S and U); listed, as the doorbell is, so
      // that the tree describes the whole platform (requestor id s = virtio slot s).
      node(`iopmp@${M.IOPMP_BASE.toString(16)}`, [['reg', reg(M.IOPMP_BASE, M.IOPMP_SIZE)], ['compatible', 'devirt,iopmp']]),
      ...virtio,
      node(`plic@${M.PLIC_BASE.toString(16)}`, [
        // riscv,ndev counts the real sources 1..95 (source 0 means "none").
        ['phandle', PH_PLIC], ['riscv,ndev', PLIC_SOURCES - 1], ['reg', reg(M.PLIC_BASE, M.PLIC_SIZE)],
        ['interrupts-extended', [PH_CPU_INTC, IRQ_M_EXT, PH_CPU_INTC, IRQ_S_EXT]], ['interrupt-controller', empty],
        ['compatible', ['sifive,plic-1.0.0', 'riscv,plic0']], ['#address-cells', 0], ['#interrupt-cells', 1],
      ]),
      node(`clint@${M.CLINT_BASE.toString(16)}`, [
        ['interrupts-extended', [PH_CPU_INTC, IRQ_M_SOFT, PH_CPU_INTC, IRQ_M_TIMER]], ['reg', reg(M.CLINT_BASE, M.CLINT_SIZE)],
        ['compatible', ['sifive,clint0', 'riscv,clint0']],
      ]),
    ]),
  ];
  if (o.reservedMemory?.length) {
    children.push(node('reserved-memory', [['#address-cells', 2], ['#size-cells', 2], ['ranges', empty]],
      o.reservedMemory.map((r) => node(`${r.name}@${r.base.toString(16)}`, [['reg', reg(r.base, r.size)], ['no-map', empty]]))));
  }
  return writeDtb(node('', [['#address-cells', 2], ['#size-cells', 2], ['compatible', 'riscv-virtio'], ['model', 'riscv-virtio,qemu']], children));
}
