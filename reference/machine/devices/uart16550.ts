// NS16550A UART as QEMU's serial model presents it on virt: 8 byte-wide registers (DLAB selects
// the divisor latch at 0 and 1), a 16-byte receive FIFO, and RDA / character-timeout / THRE
// interrupts. Transmission is instantaneous: THR is empty again as soon as it is written, and
// a THRE interrupt is pending after every byte, so kernels that wait for THRE never stall.
//
// Input comes from the host (devirt boot's stdin) at the guest's pace: bytes queue outside the
// UART and enter the receive FIFO only when the guest looks for them (it reads RBR, LSR or IIR,
// or has the receive interrupt enabled) and there is room. So the guest never sees an overrun.
// A FIFO reset gives the bytes it holds back to the queue instead of dropping them: input typed
// ahead survives the resets of a boot chain (firmware, then a bootloader, then a kernel, each
// initialising the UART), where on QEMU it would be lost or kept depending on timing. Scripted
// input (a pipe or file) is typed as a person would: one line at a time, each once the guest is
// waiting for input, so that a ctrl-C check that discards typed-ahead bytes (U-Boot's ctrlc())
// cannot eat the script. Without real time there is no 4-character timeout:
// data in the FIFO below the trigger level raises the character-timeout interrupt at once.

import { IrqLine, MmioDevice } from '../device';
import { UART0_BASE } from './memory-map';

const RBR_THR_DLL = 0, IIR_FCR = 2, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
/** Register offsets the firmware needs to quiesce the UART (IER is DLM while LCR.DLAB is set). */
export const IER_DLM = 1, LCR = 3;

export const IER_RDI = 0x01, IER_THRI = 0x02, IER_RLSI = 0x04, IER_MSI = 0x08;
export const IIR_NONE = 0x01, IIR_THRI = 0x02, IIR_RDI = 0x04, IIR_CTI = 0x0c, IIR_FIFO = 0xc0;
export const FCR_FE = 0x01, FCR_RFR = 0x02, FCR_XFR = 0x04;
export const LCR_DLAB = 0x80;
export const LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;
/** DCD, DSR and CTS asserted: a terminal is always attached (QEMU's reset value). */
export const MSR_IDLE = 0xb0;
/** OUT2 set: QEMU's reset value of MCR (serial_reset), which guests read back. */
export const MCR_RESET = 0x08;
const FIFO_SIZE = 16;
const TRIGGER_LEVELS = [1, 4, 8, 14];

/**
 * Reads of an empty receiver in a row, with no byte transmitted in between, that mean a polling
 * guest (receive interrupt off) is waiting for input, as opposed to one look before going on (a
 * transmit loop's LSR read, a ctrl-C check).
 */
export const WAITING_POLLS = 8;

export class Uart16550 implements MmioDevice {
  readonly name = 'uart';
  readonly base = UART0_BASE;
  /** Eight registers answer; the rest of the 0x100 window in the device tree faults, as on QEMU. */
  readonly size = 8;
  private ier = 0; private lcr = 0; private mcr = MCR_RESET; private scr = 0; private dll = 0; private dlm = 0;
  private fcr = 0;
  private readonly rx: number[] = [];
  /** Bytes from the host not yet in the FIFO; `hostHead` is the next one. */
  private host: number[] = [];
  private hostHead = 0;
  /** Scripted bytes read from the source and not yet typed. */
  private script: number[] = [];
  private scriptHead = 0;
  private dryPolls = 0;
  /** Polls that found no input, ever: `devirt boot` sees a guest waiting for input after stdin ended. */
  dryPollCount = 0;
  private thrPending = false;
  private source: (() => Uint8Array | null) | null = null;

  constructor(private readonly irq: IrqLine, private readonly output: (b: number) => void) {}

  reset(): void {
    this.ier = 0; this.lcr = 0; this.mcr = MCR_RESET; this.scr = 0; this.dll = 0; this.dlm = 0; this.fcr = 0;
    this.requeue(); this.thrPending = false; this.dryPolls = 0;
    this.update();
  }

  /**
   * Input that is typed only when the guest waits for it: when it has read RBR, LSR or IIR
   * WAITING_POLLS times in a row with the FIFO and the backlog empty, the next line of the
   * script enters the UART, and `pull` is asked for more script when none is left (it may
   * block); null means end of input. Output then depends only on what the input contains,
   * never on when it arrived.
   */
  setInputSource(pull: (() => Uint8Array | null) | null): void { this.source = pull; }

  /** Type the next line of scripted input now (the machine is idle waiting for it). False at end of input. */
  pullInput(): boolean {
    if (this.scriptHead === this.script.length) {
      if (this.source === null) return false;
      const bytes = this.source();
      if (bytes === null) { this.source = null; return false; }
      this.script = Array.from(bytes);
      this.scriptHead = 0;
      if (this.script.length === 0) return true;
    }
    let end = this.scriptHead;
    while (end < this.script.length && this.script[end] !== 13 && this.script[end] !== 10) end++;
    end = Math.min(end + 1, this.script.length);
    this.pushInput(Uint8Array.from(this.script.slice(this.scriptHead, end)));
    this.scriptHead = end;
    return true;
  }

  private pullIfWaiting(): void {
    if (this.rx.length !== 0 || this.hostHead !== this.host.length) { this.dryPolls = 0; return; }
    this.dryPollCount++;
    // A driver that enabled the receive interrupt takes input whenever it comes: one look is enough.
    if (++this.dryPolls < (this.ier & IER_RDI ? 1 : WAITING_POLLS)) return;
    this.dryPolls = 0;
    if (this.source !== null || this.scriptHead !== this.script.length) this.pullInput();
  }

  /** Queue bytes typed on the host terminal. */
  pushInput(bytes: Uint8Array): void {
    if (this.hostHead > 4096) { this.host = this.host.slice(this.hostHead); this.hostHead = 0; }
    for (const b of bytes) this.host.push(b);
    if (this.ier & IER_RDI) this.refill();
    this.update();
  }

  /** Host bytes still waiting to enter the receive FIFO. */
  get inputBacklog(): number { return this.host.length - this.hostHead; }

  private get fifoEnabled(): boolean { return (this.fcr & FCR_FE) !== 0; }

  /** The FIFO is emptied: its bytes go back to the front of the host queue, unread. */
  private requeue(): void {
    if (this.rx.length === 0) return;
    this.host = this.rx.concat(this.host.slice(this.hostHead));
    this.hostHead = 0;
    this.rx.length = 0;
  }

  private refill(): void {
    const room = this.fifoEnabled ? FIFO_SIZE : 1;
    while (this.rx.length < room && this.hostHead < this.host.length) this.rx.push(this.host[this.hostHead++]);
  }

  private interruptId(): number {
    if (this.ier & IER_RDI && this.rx.length) {
      if (!this.fifoEnabled || this.rx.length >= TRIGGER_LEVELS[this.fcr >> 6]) return IIR_RDI;
      return IIR_CTI;
    }
    if (this.ier & IER_THRI && this.thrPending) return IIR_THRI;
    return IIR_NONE;
  }

  private update(): void { this.irq.set(this.interruptId() !== IIR_NONE); }

  read(off: number, _width: 1 | 2 | 4 = 4): number {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    if ((off === RBR_THR_DLL && !dlab) || off === LSR || off === IIR_FCR) { this.pullIfWaiting(); this.refill(); }
    switch (off) {
      case RBR_THR_DLL: {
        if (dlab) return this.dll;
        const b = this.rx.shift() ?? 0;
        this.refill();
        this.update();
        return b;
      }
      case IER_DLM: return dlab ? this.dlm : this.ier;
      case IIR_FCR: {
        const id = this.interruptId();
        // Reading IIR while it reports THRE acknowledges that interrupt.
        if (id === IIR_THRI) { this.thrPending = false; this.update(); }
        return id | (this.fifoEnabled ? IIR_FIFO : 0);
      }
      case LCR: return this.lcr;
      case MCR: return this.mcr;
      case LSR: return LSR_THRE | LSR_TEMT | (this.rx.length ? LSR_DR : 0);
      case MSR: return MSR_IDLE;
      case SCR: return this.scr;
    }
    return 0;
  }

  write(off: number, _w: 1 | 2 | 4, value: number): void {
    const dlab = (this.lcr & LCR_DLAB) !== 0;
    const v = value & 0xff;
    switch (off) {
      case RBR_THR_DLL:
        if (dlab) { this.dll = v; break; }
        this.output(v);
        this.dryPolls = 0;
        // The byte left at once: THR is empty again and says so.
        this.thrPending = true;
        break;
      case IER_DLM: {
        if (dlab) { this.dlm = v; break; }
        const changed = (this.ier ^ v) & 0x0f;
        this.ier = v & 0x0f;
        // A driver that enables the receive interrupt is ready for input.
        if (this.ier & IER_RDI) this.refill();
        // Enabling THRI while THR is empty raises THRE again (QEMU; drivers rely on it).
        if (changed & IER_THRI) this.thrPending = (this.ier & IER_THRI) !== 0;
        break;
      }
      case IIR_FCR: {
        if (v === this.fcr) return;
        const toggled = (v ^ this.fcr) & FCR_FE;
        // Changing FIFO mode clears both FIFOs; RFR clears the receive FIFO.
        if (toggled || (v & FCR_RFR)) this.requeue();
        this.fcr = v & 0xc9;
        if (this.ier & IER_RDI) this.refill();
        break;
      }
      // As QEMU's serial model, these writes do not drive the interrupt line: under QEMU's PLIC
      // (which pends a source each time its line is driven high) they must not re-pend it.
      case LCR: this.lcr = v; return;
      case MCR: this.mcr = v & 0x1f; return;
      case SCR: this.scr = v; return;
      case LSR: case MSR: return;
    }
    if (dlab && (off === RBR_THR_DLL || off === IER_DLM)) return;
    this.update();
  }
}
