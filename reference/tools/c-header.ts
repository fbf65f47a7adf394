// The C header every C program of the project includes (the Microvisor, its M-mode firmware, the
// guests, the QEMU oracle's runner), generated from the TypeScript that the reference machine
// itself runs on, so that the platform's addresses and the privileged specification's bits are
// written once. `npm run headers` rewrites reference/include/devirt-platform.h; a test checks the
// committed file is current (as the firmware images are checked against their sources).
//
// Usable from C and from assembly (.S through the C preprocessor): addresses carry UL only in C.

import * as fs from 'fs';
import * as path from 'path';
import * as map from '../machine/devices/memory-map';
import { FW_RAM_BASE, FW_RAM_SIZE } from '../machine/firmware-ram';
import * as clint from '../machine/devices/clint';
import * as plic from '../machine/devices/plic';
import { DOORBELL_ACK, DOORBELL_ARG0, DOORBELL_ARG1, DOORBELL_ARG2, DOORBELL_CAUSE as DOORBELL_CAUSE_REG, DOORBELL_CONSOLE1, DOORBELL_MODE, DOORBELL_MODE_IRQ, DOORBELL_MODE_RNMI, DOORBELL_RESULT, DOORBELL_RING } from '../machine/devices/doorbell';
import { FINISHER_FAIL, FINISHER_PASS, FINISHER_RESET } from '../machine/devices/sifive-test';
import { DOORBELL_CAUSE } from '../session';
import * as iopmp from '../machine/devices/iopmp';
import { OWNED_DEVICES, DEVICE_COUNT, DEVICE_UART, DEVICE_RTC, DEVICE_VIRTIO0 } from '../machine/devices/device-ids';
import { REG as VIRTIO_REG, STATUS as VIRTIO_STATUS } from '../machine/devices/virtio-mmio';
import * as rtc from '../machine/devices/goldfish-rtc';
import * as uart from '../machine/devices/uart16550';
import { Exc, Irq } from '../machine/trap-causes';
import * as ms from '../machine/mstatus';
import { CSR_NUMBERS } from '../machine/csr';

export const HEADER_FILE = path.resolve(__dirname, '../../../reference/include/devirt-platform.h');

const hex = (v: number) => `0x${v.toString(16)}`;
/** An address or size: unsigned long in C, a plain number in assembly. */
const addr = (v: number) => `DEVIRT_UL(${hex(v)})`;
const bit = (n: number) => `(DEVIRT_UL(1) << ${n})`;
/** The mask's single run of set bits, as (ones << shift). */
function field(mask: number): string {
  const shift = Math.log2(mask & -mask);
  return `(DEVIRT_UL(${hex(mask >>> shift)}) << ${shift})`;
}

type Row = [name: string, value: string, comment?: string];

function section(title: string, rows: Row[]): string {
  const width = Math.max(...rows.map(([n]) => n.length)) + 1;
  return `/* ${title} */\n` + rows.map(([n, v, c]) => `#define ${n.padEnd(width)}${v}${c ? `  /* ${c} */` : ''}`).join('\n') + '\n';
}

export function platformHeader(): string {
  const sections = [
    section('Memory map: QEMU 7.2 virt plus the management doorbell (reference/machine/devices/memory-map.ts)', [
      ['MROM_BASE', addr(map.MROM_BASE), 'boot ROM: reset code, device tree pointer, fw_dynamic_info'],
      ['MROM_SIZE', addr(map.MROM_SIZE)],
      ['TEST_BASE', addr(map.TEST_BASE), 'SiFive test finisher'],
      ['RTC_BASE', addr(map.RTC_BASE), 'Goldfish RTC'],
      ['DOORBELL_BASE', addr(map.DOORBELL_BASE), 'management doorbell (devirt)'],
      ['DOORBELL_SIZE', addr(map.DOORBELL_SIZE)],
      ['CLINT_BASE', addr(map.CLINT_BASE)],
      ['CLINT_SIZE', addr(map.CLINT_SIZE)],
      ['PLIC_BASE', addr(map.PLIC_BASE)],
      ['PLIC_SIZE', addr(map.PLIC_SIZE)],
      ['UART0_BASE', addr(map.UART0_BASE), 'NS16550A'],
      ['UART0_SIZE', addr(map.UART0_SIZE)],
      ['VIRTIO_BASE', addr(map.VIRTIO_BASE), 'virtio-mmio slot 0'],
      ['VIRTIO_STRIDE', addr(map.VIRTIO_STRIDE)],
      ['VIRTIO_COUNT', String(map.VIRTIO_COUNT)],
      ['RAM_BASE', addr(map.RAM_BASE), 'where a -bios none kernel or the firmware starts'],
      ['KERNEL_BASE', addr(map.KERNEL_BASE), 'the next stage when firmware occupies the start of RAM'],
      ['FW_RAM_BASE', addr(FW_RAM_BASE), 'M-mode firmware RAM, present only for kernels that own M-mode'],
      ['FW_RAM_SIZE', addr(FW_RAM_SIZE)],
      ['TIMEBASE', String(map.TIMEBASE), 'mtime ticks per second'],
    ]),
    section('PLIC sources', [
      ['VIRTIO_IRQ0', String(map.VIRTIO_IRQ0), 'slot n raises VIRTIO_IRQ0 + n'],
      ['UART0_IRQ', String(map.UART0_IRQ)],
      ['RTC_IRQ', String(map.RTC_IRQ)],
      ['PLIC_SOURCES', String(plic.PLIC_SOURCES)],
    ]),
    section('Device registers: CLINT of hart 0 (absolute), PLIC and doorbell (offsets)', [
      ['CLINT_MSIP', `(CLINT_BASE + ${addr(clint.MSIP)})`],
      ['CLINT_MTIMECMP', `(CLINT_BASE + ${addr(clint.MTIMECMP)})`],
      ['CLINT_MTIME', `(CLINT_BASE + ${addr(clint.MTIME)})`],
      ['PLIC_ENABLE', addr(plic.ENABLE), 'enable bits of context 0 (M-mode of hart 0)'],
      ['PLIC_ENABLE_STRIDE', addr(plic.ENABLE_STRIDE)],
      ['PLIC_CONTEXT', addr(plic.CONTEXT), 'threshold of context 0'],
      ['PLIC_CONTEXT_STRIDE', addr(plic.CONTEXT_STRIDE)],
      ['PLIC_CLAIM', addr(plic.CLAIM), 'claim/complete, above a context\'s threshold'],
      ['DOORBELL_RING', addr(DOORBELL_RING)],
      ['DOORBELL_CAUSE', addr(DOORBELL_CAUSE_REG)],
      ['DOORBELL_ACK', addr(DOORBELL_ACK)],
      ['DOORBELL_MODE', addr(DOORBELL_MODE)],
      ['DOORBELL_MODE_IRQ', String(DOORBELL_MODE_IRQ), 'a ring raises mip bit IRQ_DOORBELL'],
      ['DOORBELL_MODE_RNMI', String(DOORBELL_MODE_RNMI), 'a ring raises a resumable NMI, mncause = the cause'],
      ['DOORBELL_ARG0', addr(DOORBELL_ARG0), 'arguments of a maintenance cause (64-bit)'],
      ['DOORBELL_ARG1', addr(DOORBELL_ARG1)],
      ['DOORBELL_ARG2', addr(DOORBELL_ARG2)],
      ['DOORBELL_CONSOLE1', addr(DOORBELL_CONSOLE1), "instance 1's console: write a byte"],
      ['DOORBELL_RESULT', addr(DOORBELL_RESULT), 'SBI error of the last action (64-bit), written by the firmware'],
    ]),
    section('IOPMP (reference/machine/devices/iopmp.ts; RISC-V IOPMP specification, full model subset): registers are offsets', [
      ['IOPMP_BASE', addr(map.IOPMP_BASE), 'only the firmware may reach it (PMP)'],
      ['IOPMP_SIZE', addr(map.IOPMP_SIZE)],
      ['IOPMP_RRIDS', String(iopmp.IOPMP_RRIDS), 'requestor id s = virtio slot s'],
      ['IOPMP_MDS', String(iopmp.IOPMP_MDS)],
      ['IOPMP_ENTRIES', String(iopmp.IOPMP_ENTRIES)],
      ['IOPMP_PRIO_ENTRIES', String(iopmp.IOPMP_PRIO_ENTRIES), 'entries below this index are priority entries'],
      ['IOPMP_HWCFG0', addr(iopmp.IOPMP_REG.HWCFG0)],
      ['IOPMP_HWCFG0_ENABLE', hex(iopmp.IOPMP_HWCFG0_ENABLE) + 'U', 'sticky: checks start'],
      ['IOPMP_MDLCK', addr(iopmp.IOPMP_REG.MDLCK)],
      ['IOPMP_MDCFGLCK', addr(iopmp.IOPMP_REG.MDCFGLCK)],
      ['IOPMP_ENTRYLCK', addr(iopmp.IOPMP_REG.ENTRYLCK)],
      ['IOPMP_ERR_CFG', addr(iopmp.IOPMP_REG.ERR_CFG)],
      ['IOPMP_ERR_INFO', addr(iopmp.IOPMP_REG.ERR_INFO)],
      ['IOPMP_ERR_REQADDR', addr(iopmp.IOPMP_REG.ERR_REQADDR)],
      ['IOPMP_ERR_REQID', addr(iopmp.IOPMP_REG.ERR_REQID)],
      ['IOPMP_MDCFG(m)', `(${addr(iopmp.IOPMP_REG.MDCFG0)} + 4 * (m))`],
      ['IOPMP_SRCMD_EN(s)', `(${addr(iopmp.IOPMP_REG.SRCMD_EN0)} + ${iopmp.IOPMP_REG.SRCMD_STRIDE} * (s))`],
      ['IOPMP_ENTRY_ADDR(i)', `(${addr(iopmp.IOPMP_REG.ENTRY_ADDR0)} + ${iopmp.IOPMP_REG.ENTRY_STRIDE} * (i))`],
      ['IOPMP_ENTRY_CFG(i)', `(IOPMP_ENTRY_ADDR(i) + ${iopmp.IOPMP_REG.ENTRY_CFG})`],
      ['IOPMP_CFG_R', String(iopmp.IOPMP_CFG.R)],
      ['IOPMP_CFG_W', String(iopmp.IOPMP_CFG.W)],
      ['IOPMP_CFG_TOR', hex(iopmp.IOPMP_CFG.TOR)],
      ['IOPMP_CFG_NA4', hex(iopmp.IOPMP_CFG.NA4)],
      ['IOPMP_CFG_NAPOT', hex(iopmp.IOPMP_CFG.NAPOT)],
    ]),
    section('Devices an instance can own (reference/machine/devices/device-ids.ts; conformance/maintenance-sbi.md): X(id, base, size, PLIC source, IOPMP requestor id or -1)', [
      ['DEVICE_UART', String(DEVICE_UART)],
      ['DEVICE_RTC', String(DEVICE_RTC)],
      ['DEVICE_VIRTIO0', String(DEVICE_VIRTIO0), 'virtio-mmio slot n is DEVICE_VIRTIO0 + n'],
      ['DEVICE_COUNT', String(DEVICE_COUNT)],
      ['DEVIRT_DEVICES(X)', OWNED_DEVICES.map((d) => `X(${d.id}, ${addr(d.base)}, ${addr(d.size)}, ${d.irq}, ${d.rrid})`).join(' ')],
    ]),
    section('Device registers the firmware quiesces a device with (offsets in its window)', [
      ['VIRTIO_MMIO_STATUS', addr(VIRTIO_REG.Status), 'write 0: reset; reads 0 once the reset is complete'],
      ['VIRTIO_MMIO_INTERRUPT_ACK', addr(VIRTIO_REG.InterruptACK)],
      ['VIRTIO_STATUS_DEVICE_NEEDS_RESET', hex(VIRTIO_STATUS.DEVICE_NEEDS_RESET)],
      ['RTC_REG_IRQ_ENABLED', addr(rtc.RTC_IRQ_ENABLED)],
      ['RTC_REG_CLEAR_ALARM', addr(rtc.RTC_CLEAR_ALARM)],
      ['RTC_REG_CLEAR_INTERRUPT', addr(rtc.RTC_CLEAR_INTERRUPT)],
      ['UART0_REG_IER', addr(uart.IER_DLM), 'IER while LCR.DLAB = 0'],
      ['UART0_REG_LCR', addr(uart.LCR)],
      ['UART0_LCR_DLAB', hex(uart.LCR_DLAB)],
    ]),
    section('Doorbell causes (conformance/maintenance-sbi.md) and finisher codes (written to TEST_BASE)', [
      ['DOORBELL_CAUSE_VIRTUALIZE', String(DOORBELL_CAUSE.virtualize)],
      ['DOORBELL_CAUSE_DEVIRTUALIZE', String(DOORBELL_CAUSE.devirtualize)],
      ['DOORBELL_CAUSE_CREATE', String(DOORBELL_CAUSE.create), 'instance 1 from the image at ARG0 (ARG1 bytes) in the partition'],
      ['DOORBELL_CAUSE_START', String(DOORBELL_CAUSE.start), 'start(ARG0)'],
      ['DOORBELL_CAUSE_HAND_OVER', String(DOORBELL_CAUSE.handOver), 'hand_over(ARG0 = device, ARG1 = to)'],
      ['DOORBELL_CAUSE_RETIRE', String(DOORBELL_CAUSE.retire), 'retire(ARG0)'],
      ['DOORBELL_CAUSE_ROLLBACK', String(DOORBELL_CAUSE.rollback)],
      ['FINISHER_PASS', hex(FINISHER_PASS), 'power off, success'],
      ['FINISHER_FAIL', hex(FINISHER_FAIL), 'power off, failure: (code << 16) | FINISHER_FAIL'],
      ['FINISHER_RESET', hex(FINISHER_RESET), 'reset the machine'],
    ]),
    section('mstatus fields (privileged spec 3.1.6; reference/machine/mstatus.ts)', [
      ['MSTATUS_SIE', bit(Math.log2(ms.MS_SIE))],
      ['MSTATUS_MIE', bit(Math.log2(ms.MS_MIE))],
      ['MSTATUS_SPIE', bit(Math.log2(ms.MS_SPIE))],
      ['MSTATUS_MPIE', bit(Math.log2(ms.MS_MPIE))],
      ['MSTATUS_SPP', bit(Math.log2(ms.MS_SPP))],
      ['MSTATUS_MPP', field(ms.MS_MPP)],
      ['MSTATUS_MPP_SHIFT', String(ms.MS_MPP_SHIFT)],
      ['MSTATUS_MPRV', bit(Math.log2(ms.MS_MPRV))],
      ['MSTATUS_SUM', bit(Math.log2(ms.MS_SUM))],
      ['MSTATUS_MXR', bit(Math.log2(ms.MS_MXR))],
      ['MSTATUS_TVM', bit(Math.log2(ms.MS_TVM))],
      ['MSTATUS_TW', bit(Math.log2(ms.MS_TW))],
      ['MSTATUS_TSR', bit(Math.log2(ms.MS_TSR))],
    ]),
    section('Privilege levels (privileged spec 1.2)', [['PRV_U', '0'], ['PRV_S', '1'], ['PRV_M', '3']]),
    section('Interrupt numbers (mip/mie bits; privileged spec 3.1.9) and exception codes (table 3.6)', [
      ['IRQ_SSI', String(Irq.SSI)], ['IRQ_MSI', String(Irq.MSI)], ['IRQ_STI', String(Irq.STI)], ['IRQ_MTI', String(Irq.MTI)],
      ['IRQ_SEI', String(Irq.SEI)], ['IRQ_MEI', String(Irq.MEI)], ['IRQ_DOORBELL', String(Irq.DOORBELL), 'platform interrupt of the doorbell'],
      ['CAUSE_INTERRUPT', bit(63), 'mcause/scause: an interrupt'],
      ['EXC_ILLEGAL', String(Exc.IllegalInsn)], ['EXC_BREAKPOINT', String(Exc.Breakpoint)],
      ['EXC_LOAD_ACCESS', String(Exc.LoadAccessFault)], ['EXC_STORE_ACCESS', String(Exc.StoreAccessFault)],
      ['EXC_ECALL_U', String(Exc.EcallU)], ['EXC_ECALL_S', String(Exc.EcallS)], ['EXC_ECALL_M', String(Exc.EcallM)],
    ]),
    section('CSR numbers the assembler may not know by name (Smrnmi); plain numbers, for csrr/csrw', [
      ['CSR_MNSCRATCH', hex(CSR_NUMBERS.mnscratch)],
      ['CSR_MNEPC', hex(CSR_NUMBERS.mnepc)],
      ['CSR_MNCAUSE', hex(CSR_NUMBERS.mncause)],
      ['CSR_MNSTATUS', hex(CSR_NUMBERS.mnstatus)],
    ]),
  ];
  return `/* Generated by reference/tools/c-header.ts from the reference machine's TypeScript: do not edit.
 * Regenerate with \`npm run headers\`; test/tools/c-header.test.ts checks this file is current. */
#ifndef DEVIRT_PLATFORM_H
#define DEVIRT_PLATFORM_H

#ifdef __ASSEMBLER__
#define DEVIRT_UL(x) x
#else
#define DEVIRT_UL(x) x##UL
#endif

${sections.join('\n')}
#endif
`;
}

if (require.main === module) {
  fs.mkdirSync(path.dirname(HEADER_FILE), { recursive: true });
  fs.writeFileSync(HEADER_FILE, platformHeader());
  console.log(`wrote ${path.relative(process.cwd(), HEADER_FILE)}`);
}
