// The representations a translated block could keep 64-bit guest registers in, measured on the
// same guest loop (xorshift64 and a running sum: slli, xor, srli, xor, slli, xor, add, addi, bne
// = 9 RISC-V instructions a pass), with the registers in memory between passes as a translator
// keeps them between blocks. Printed as ns per guest instruction, medians of 5. It informs
// reference/machine/jit/TRANSLATION.md; nothing asserts a speed. Run: node dist/bench/jit-alternatives.js

const PASSES = Number(process.env.DEVIRT_ALT_PASSES ?? 5_000_000);
const INSNS_PER_PASS = 9;

function median(xs: number[]): number { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; }

function time(f: () => unknown): number {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    f();
    runs.push(Number(process.hrtime.bigint() - t0) / (PASSES * INSNS_PER_PASS));
  }
  return median(runs);
}

/** (lo, hi) int32 halves in an Int32Array: what jit/emit.ts generates. */
function pairs(): bigint {
  const x = new Int32Array(8);
  x[0] = 0x12345;
  for (let n = PASSES; n !== 0; n--) {
    { const l = x[0], u = x[1]; x[3] = (u << 13) | (l >>> 19); x[2] = l << 13; }
    x[0] ^= x[2]; x[1] ^= x[3];
    { const l = x[0], u = x[1]; x[2] = (l >>> 7) | (u << 25); x[3] = u >>> 7; }
    x[0] ^= x[2]; x[1] ^= x[3];
    { const l = x[0], u = x[1]; x[3] = (u << 17) | (l >>> 15); x[2] = l << 17; }
    x[0] ^= x[2]; x[1] ^= x[3];
    { const s = (x[4] >>> 0) + (x[0] >>> 0); x[5] = (x[5] + x[1] + (s > 0xffffffff ? 1 : 0)) | 0; x[4] = s | 0; }
  }
  return (BigInt(x[5] >>> 0) << 32n) | BigInt(x[4] >>> 0);
}

/** BigInt values in a BigUint64Array. */
function bigints(): bigint {
  const r = new BigUint64Array(4);
  r[0] = 0x12345n;
  for (let n = PASSES; n !== 0; n--) {
    r[1] = BigInt.asUintN(64, r[0] << 13n); r[0] ^= r[1];
    r[1] = r[0] >> 7n; r[0] ^= r[1];
    r[1] = BigInt.asUintN(64, r[0] << 17n); r[0] ^= r[1];
    r[2] = BigInt.asUintN(64, r[2] + r[0]);
  }
  return r[2];
}

// ---- WebAssembly with i64, assembled here (no toolchain needed) -------------------------------
const uleb = (v: number): number[] => { const o: number[] = []; do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; o.push(b); } while (v); return o; };
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const name = (s: string) => [...uleb(s.length), ...Buffer.from(s, 'latin1')];
const I64_CONST = 0x42, I32_CONST = 0x41, GET = 0x20, SET = 0x21, TEE = 0x22;
const SHL = 0x86, SHR_U = 0x88, XOR = 0x85, ADD = 0x7c, I32_SUB = 0x6b, LOAD = 0x29, STORE = 0x37;
// Counter in local 0 (the parameter); loop, decrement, br_if.
const countDown = [GET, 0, I32_CONST, 1, I32_SUB, TEE, 0, 0x0d, 0];
/** Registers in wasm locals (s = 1, a = 2): the best case, a whole loop in one function. */
const inLocals = [
  ...vec([[2, 0x7e]]),
  I64_CONST, 0xc5, 0xc6, 0x04, SET, 1,
  0x03, 0x40,
  GET, 1, GET, 1, I64_CONST, 13, SHL, XOR, SET, 1,
  GET, 1, GET, 1, I64_CONST, 7, SHR_U, XOR, SET, 1,
  GET, 1, GET, 1, I64_CONST, 17, SHL, XOR, SET, 1,
  GET, 2, GET, 1, ADD, SET, 2,
  ...countDown, 0x0b,
  GET, 2, 0x0b,
];
/** Registers in linear memory (s at 0, a at 8), as between translated blocks. */
const ld = (off: number) => [I32_CONST, 0, LOAD, 3, off];
const st = (off: number) => [STORE, 3, off];
const xorShift = (k: number, op: number) => [I32_CONST, 0, ...ld(0), ...ld(0), I64_CONST, k, op, XOR, ...st(0)];
const inMemory = [
  0,
  I32_CONST, 0, I64_CONST, 0xc5, 0xc6, 0x04, ...st(0),
  0x03, 0x40,
  ...xorShift(13, SHL), ...xorShift(7, SHR_U), ...xorShift(17, SHL),
  I32_CONST, 0, ...ld(8), ...ld(0), ADD, ...st(8),
  ...countDown, 0x0b,
  ...ld(8), 0x0b,
];
const body = (b: number[]) => [...uleb(b.length), ...b];
const WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, vec([[0x60, 1, 0x7f, 1, 0x7e]])),
  ...section(3, vec([[0], [0]])),
  ...section(5, vec([[0, 1]])),
  ...section(7, vec([[...name('locals'), 0, 0], [...name('memory'), 0, 1], [...name('mem'), 2, 0]])),
  ...section(10, vec([body(inLocals), body(inMemory)])),
]);

// The project's TypeScript library settings have no WebAssembly declarations: the little used here.
const Wasm = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array): Promise<{ instance: { exports: unknown } }> } }).WebAssembly;

async function main(): Promise<void> {
  const { instance } = await Wasm.instantiate(WASM);
  const wasm = instance.exports as { locals: (n: number) => bigint; memory: (n: number) => bigint };
  const expect = pairs();
  const check = (what: string, v: bigint) => { if (BigInt.asUintN(64, v) !== expect) throw new Error(`${what}: ${v} != ${expect}`); };
  check('bigint', bigints());
  check('wasm locals', wasm.locals(PASSES));
  check('wasm memory', wasm.memory(PASSES));
  const rows: [string, number][] = [
    ['JS, int32 pairs in an Int32Array (the translator)', time(pairs)],
    ['JS, BigInt in a BigUint64Array', time(bigints)],
    ['WebAssembly i64, registers in linear memory', time(() => wasm.memory(PASSES))],
    ['WebAssembly i64, registers in locals (one function)', time(() => wasm.locals(PASSES))],
  ];
  console.log(`${PASSES.toLocaleString('en')} passes of a 9-instruction loop; ns per guest instruction, median of 5`);
  for (const [what, ns] of rows) console.log(`${ns.toFixed(2).padStart(7)}  ${what}`);
  console.log('JS doubles: not measured as a candidate, they hold 53 bits, not 64 (no bit-exact xorshift64)');
}

void main();
