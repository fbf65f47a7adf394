// Scripted console input (devirt boot < file) is typed as a person would: a line at a time, each
// once the guest waits for input. Third-party firmware resets the receive FIFO while it starts
// (OpenSBI, then U-Boot twice) and U-Boot's ctrlc() drops typed-ahead bytes; the script must
// survive both, and what the guest reads must not depend on how the host delivered the bytes.
import { Uart16550, WAITING_POLLS } from '../../reference/machine/devices/uart16550';
import { Line } from '../devices/helpers';

const RBR = 0, THR = 0, FCR = 2, LSR = 5;

function scripted(chunks: string[]) {
  const uart = new Uart16550(new Line(), () => undefined);
  const queue = [...chunks];
  let pulls = 0;
  uart.setInputSource(() => { pulls++; const c = queue.shift(); return c === undefined ? null : Buffer.from(c); });
  const rd = (r: number) => uart.read(r);
  const wr = (r: number, v: number) => uart.write(r, 1, v);
  /** A polling getc: read LSR until data is ready (bounded), then RBR. */
  const getc = (): string | null => {
    for (let i = 0; i < 10 * WAITING_POLLS; i++) if (rd(LSR) & 1) return String.fromCharCode(rd(RBR));
    return null;
  };
  const readAll = () => { let s = ''; for (let c = getc(); c !== null; c = getc()) s += c; return s; };
  return { uart, rd, wr, getc, readAll, pulls: () => pulls };
}

describe('scripted UART input', () => {
  test('a transmit loop\'s LSR reads and a single look do not take input; a FIFO reset then loses nothing', () => {
    const { rd, wr, readAll, pulls } = scripted(['version\rpoweroff\r']);
    wr(FCR, 0x07);
    for (const c of 'OpenSBI\n') { rd(LSR); wr(THR, c.charCodeAt(0)); }
    // ctrlc(): one look at LSR between pieces of work.
    for (let i = 0; i < 3 * WAITING_POLLS; i++) { rd(LSR); wr(THR, 0x2e); }
    expect(pulls()).toBe(0);
    wr(FCR, 0x07);
    expect(readAll()).toBe('version\rpoweroff\r');
  });

  test('one line at a time: the next line waits until the guest has read this one and waits again', () => {
    const { rd, getc } = scripted(['ab\rcd\r']);
    for (let i = 0; i < WAITING_POLLS; i++) rd(LSR);
    expect(rd(LSR) & 1).toBe(1);
    expect([getc(), getc(), getc()].join('')).toBe('ab\r');
    // The guest looks once (no data): the next line is not typed yet.
    expect(rd(LSR) & 1).toBe(0);
    expect(getc()).toBe('c');
  });

  test('with the receive interrupt enabled, one look at an empty receiver takes the next line', () => {
    const { rd, wr } = scripted(['x\ry\r']);
    wr(1, 0x01);
    // The IIR read finds the receiver empty, takes the line, and reports received data at once.
    expect(rd(2) & 0x0f).toBe(0x04);
    expect(rd(RBR)).toBe(0x78);
  });

  test('the same bytes give the same reads however the host chunked them', () => {
    const text = 'a line longer than the sixteen-byte receive FIFO\rsecond\r\rthird';
    const whole = scripted([text]);
    const bytes = scripted(text.split(''));
    whole.wr(FCR, 0x07); bytes.wr(FCR, 0x07);
    expect(bytes.readAll()).toBe(whole.readAll());
    expect(whole.readAll()).toBe('');
  });
});
