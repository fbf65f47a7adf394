// The C header of the platform (reference/include/devirt-platform.h) is generated from the
// reference machine's TypeScript; the committed file must be what the generator writes now, and
// the C programs must take the platform from it rather than from copies of their own.
import * as fs from 'fs';
import * as path from 'path';
import { HEADER_FILE, platformHeader } from '../../reference/tools/c-header';
import { UART0_BASE, CLINT_BASE, DOORBELL_BASE } from '../../reference/machine/devices/memory-map';

const ROOT = path.resolve(__dirname, '../../..');

test('the committed devirt-platform.h is current (regenerate with `npm run headers`)', () => {
  expect(fs.readFileSync(HEADER_FILE, 'utf8')).toBe(platformHeader());
});

test('the header carries the TypeScript map\'s values', () => {
  const text = platformHeader();
  expect(text).toContain(`#define UART0_BASE    DEVIRT_UL(0x${UART0_BASE.toString(16)})`);
  expect(text).toMatch(new RegExp(`#define CLINT_BASE +DEVIRT_UL\\(0x${CLINT_BASE.toString(16)}\\)`));
  expect(text).toMatch(new RegExp(`#define DOORBELL_BASE +DEVIRT_UL\\(0x${DOORBELL_BASE.toString(16)}\\)`));
});

// Every C program's platform header includes the generated one and no longer spells the map out.
const PLATFORM_HEADERS = [
  'reference/firmware/src/platform.h',
  'reference/firmware/mmode/platform.h',
  'reference/guests/lib/rt.h',
  'reference/guests/mkernels/mk.h',
  'reference/guests/sbi/lib/guest.h',
  // The QEMU oracle's runner and the exported self-checking vectors share their set-up here.
  'harness/oracle/qemu-state/vector-runner.h',
];
const ADDRESSES = /0x10000000\b|0x2000000\b|0x02000000\b|0xc000000\b|0x0c000000\b|0x102000\b|0x100000UL|0x80000000UL|0x7ffe0000/;

test.each(PLATFORM_HEADERS)('%s includes devirt-platform.h and defines no address of its own', (file) => {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  expect(text).toContain('#include "devirt-platform.h"');
  const defines = text.split('\n').filter((l) => /^\s*#define/.test(l) && ADDRESSES.test(l));
  expect(defines).toEqual([]);
});
