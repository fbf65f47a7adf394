// NS16550A register rules (the NS16550A datasheet; QEMU's serial model where it decides).
import { Uart16550, WAITING_POLLS } from '../../reference/machine/devices/uart16550';
import { Line } from './helpers';

const RBR = 0, THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;

function setup() {
  const irq = new Line();
  const out: number[] = [];
  const uart = new Uart16550(irq, (b) => out.push(b));
  const rd = (r: number) => uart.read(r);
  const wr = (r: number, v: number) => uart.write(r, 1, v);
  return { irq, out, uart, rd, wr };
}

describe('NS16550A UART', () => {
  test('power-on: transmitter empty, no data, no interrupt, modem lines idle', () => {
    const { rd, irq } = setup();
    expect(rd(LSR)).toBe(0x60);
    expect(rd(IIR)).toBe(0x01);
    expect(rd(MSR)).toBe(0xb0);
    expect(irq.level).toBe(false);
  });

  test('THR writes go out unchanged, in order', () => {
    const { wr, out, rd } = setup();
    for (const c of 'ok\n') wr(THR, c.charCodeAt(0));
    expect(Buffer.from(out).toString()).toBe('ok\n');
    expect(rd(LSR) & 0x60).toBe(0x60);
  });

  test('DLAB switches offsets 0 and 1 to the divisor latch', () => {
    const { wr, rd, out } = setup();
    wr(IER, 0x05);
    wr(LCR, 0x83);
    wr(0, 0x0c); wr(1, 0x01);
    expect(rd(0)).toBe(0x0c);
    expect(rd(1)).toBe(0x01);
    expect(out).toEqual([]); // the divisor write did not transmit
    wr(LCR, 0x03);
    expect(rd(IER)).toBe(0x05);
    expect(rd(LCR)).toBe(0x03);
  });

  test('SCR holds a byte; MCR keeps its five bits; IER its four', () => {
    const { wr, rd } = setup();
    wr(SCR, 0xa5); expect(rd(SCR)).toBe(0xa5);
    wr(MCR, 0xff); expect(rd(MCR)).toBe(0x1f);
    wr(IER, 0xff); expect(rd(IER)).toBe(0x0f);
  });

  test('THRE interrupt: raised when enabled, cleared by reading IIR, raised again after each byte', () => {
    const { wr, rd, irq } = setup();
    wr(IER, 0x02);
    expect(irq.level).toBe(true);
    expect(rd(IIR)).toBe(0x02);
    expect(irq.level).toBe(false);
    expect(rd(IIR)).toBe(0x01);
    wr(THR, 0x41);
    expect(irq.level).toBe(true);
    expect(rd(IIR)).toBe(0x02);
    // Disabling and enabling again re-raises it: THR is still empty.
    wr(IER, 0); wr(IER, 0x02);
    expect(irq.level).toBe(true);
    wr(IER, 0);
    expect(irq.level).toBe(false);
  });

  test('FIFO enable shows in IIR bits 7:6', () => {
    const { wr, rd } = setup();
    wr(FCR, 0x01);
    expect(rd(IIR)).toBe(0xc1);
    wr(FCR, 0x00);
    expect(rd(IIR)).toBe(0x01);
  });

  test('receive without FIFO: one byte at a time, the rest waits for the guest, nothing lost', () => {
    const { uart, rd } = setup();
    uart.pushInput(Buffer.from('abc'));
    expect(uart.inputBacklog).toBe(3); // nothing enters until the guest looks
    expect(rd(LSR) & 1).toBe(1);
    expect(uart.inputBacklog).toBe(2);
    let got = '';
    while (rd(LSR) & 1) got += String.fromCharCode(rd(RBR));
    expect(got).toBe('abc');
    expect(rd(LSR) & 1).toBe(0);
  });

  test('receive FIFO holds 16 bytes; input beyond it enters as the guest reads', () => {
    const { uart, wr, rd } = setup();
    wr(FCR, 0x07);
    const text = 'the quick brown fox jumps';
    uart.pushInput(Buffer.from(text));
    rd(LSR);
    expect(uart.inputBacklog).toBe(text.length - 16);
    let got = '';
    while (rd(LSR) & 1) got += String.fromCharCode(rd(RBR));
    expect(got).toBe(text);
  });

  test('RDA at the trigger level, character timeout below it, both need IER.RDI', () => {
    const { uart, wr, rd, irq } = setup();
    wr(FCR, 0x41); // FIFO on, trigger level 4
    uart.pushInput(Buffer.from('xyz'));
    expect(irq.level).toBe(false);
    wr(IER, 0x01);
    expect(rd(IIR)).toBe(0xcc); // timeout: data below the trigger level
    uart.pushInput(Buffer.from('w'));
    expect(rd(IIR)).toBe(0xc4); // received data available
    expect(irq.level).toBe(true);
    rd(RBR); rd(RBR); rd(RBR);
    expect(rd(IIR)).toBe(0xcc);
    rd(RBR);
    expect(rd(IIR)).toBe(0xc1);
    expect(irq.level).toBe(false);
  });

  test('received data outranks THRE in IIR', () => {
    const { uart, wr, rd } = setup();
    wr(IER, 0x03);
    uart.pushInput(Buffer.from('q'));
    expect(rd(IIR)).toBe(0x04);
    rd(RBR);
    expect(rd(IIR)).toBe(0x02);
  });

  test('FCR receive reset empties the FIFO; its unread bytes wait for the next look', () => {
    const { uart, wr, rd } = setup();
    wr(FCR, 0x01);
    uart.pushInput(Buffer.from('abc'));
    expect(rd(LSR) & 1).toBe(1);
    expect(rd(RBR)).toBe(0x61);
    wr(FCR, 0x03);
    expect(uart.inputBacklog).toBe(2); // back in the queue, not lost
    expect(rd(RBR)).toBe(0x62);
  });

  test('input typed before a driver resets the FIFO at start-up is not lost', () => {
    const { uart, wr, rd } = setup();
    uart.pushInput(Buffer.from('early'));
    wr(FCR, 0x01); rd(LSR); // firmware printing: the bytes enter its FIFO
    wr(IER, 0); wr(FCR, 0x07); wr(LCR, 0x03); // the next stage's driver resets the FIFO
    let got = '';
    while (rd(LSR) & 1) got += String.fromCharCode(rd(RBR));
    expect(got).toBe('early');
  });

  test('input waits for the guest: typed only once it polls an empty receiver, a line at a time, in order, until the end', () => {
    const { uart, rd } = setup();
    const chunks = [Buffer.from('ab'), Buffer.from('c')];
    let pulls = 0;
    uart.setInputSource(() => { pulls++; return chunks.shift() ?? null; });
    expect(pulls).toBe(0);
    // One look (a transmit loop's LSR read) is not waiting for input.
    for (let i = 0; i < WAITING_POLLS - 1; i++) expect(rd(LSR) & 1).toBe(0);
    expect(pulls).toBe(0);
    let got = '';
    for (let idle = 0; idle < 4 * WAITING_POLLS; idle++) {
      while (rd(LSR) & 1) { got += String.fromCharCode(rd(RBR)); idle = 0; }
    }
    expect(got).toBe('abc');
    expect(pulls).toBe(3); // 'ab', 'c', then the end
    for (let i = 0; i < 4 * WAITING_POLLS; i++) rd(LSR);
    expect(pulls).toBe(3); // after the end, never again
  });
});
