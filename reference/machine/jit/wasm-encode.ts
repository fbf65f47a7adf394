// The few pieces of the WebAssembly binary format (core specification 2.0, chapter 5) that a
// translated block needs: LEB128 numbers, one function type, an imported memory, one exported
// function, and the opcodes wasm-emit.ts and wasm-chain.ts write.

/** Value types. */
export const I32 = 0x7f, I64 = 0x7e, F64 = 0x7c;

/** Opcodes, by their text-format names. */
export const OP = {
  unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, br: 0x0c, br_if: 0x0d, return: 0x0f,
  local_get: 0x20, local_set: 0x21, local_tee: 0x22,
  i32_load: 0x28, i32_load8_u: 0x2d, i64_load: 0x29, f64_load: 0x2b, i32_store: 0x36,
  i64_load8_s: 0x30, i64_load8_u: 0x31, i64_load16_s: 0x32, i64_load16_u: 0x33, i64_load32_s: 0x34, i64_load32_u: 0x35,
  i64_store: 0x37, f64_store: 0x39, i64_store8: 0x3c, i64_store16: 0x3d, i64_store32: 0x3e,
  i32_const: 0x41, i64_const: 0x42, f64_const: 0x44,
  i32_eqz: 0x45, i32_eq: 0x46, i32_ne: 0x47, i32_ge_u: 0x4f,
  i64_eqz: 0x50, i64_eq: 0x51, i64_ne: 0x52, i64_lt_s: 0x53, i64_lt_u: 0x54, i64_ge_s: 0x59, i64_ge_u: 0x5a,
  f64_ne: 0x62, f64_lt: 0x63, f64_le: 0x65,
  i32_add: 0x6a, i32_sub: 0x6b, i32_mul: 0x6c, i32_div_s: 0x6d, i32_div_u: 0x6e, i32_rem_s: 0x6f, i32_rem_u: 0x70,
  i32_and: 0x71, i32_or: 0x72, i32_shl: 0x74, i32_shr_s: 0x75, i32_shr_u: 0x76,
  i64_add: 0x7c, i64_sub: 0x7d, i64_mul: 0x7e, i64_div_s: 0x7f, i64_div_u: 0x80, i64_rem_s: 0x81, i64_rem_u: 0x82,
  i64_and: 0x83, i64_or: 0x84, i64_xor: 0x85, i64_shl: 0x86, i64_shr_s: 0x87, i64_shr_u: 0x88,
  f64_add: 0xa0, f64_sub: 0xa1,
  i32_wrap_i64: 0xa7, i32_trunc_f64_u: 0xab, i64_extend_i32_s: 0xac, i64_extend_i32_u: 0xad,
  i64_trunc_f64_s: 0xb0, f64_convert_i32_s: 0xb7, f64_convert_i32_u: 0xb8, f64_convert_i64_s: 0xb9,
  select: 0x1b, call_indirect: 0x11,
} as const;

/** The empty block type (a block, loop or if that leaves nothing on the stack). */
export const VOID = 0x40;

const F64_SCRATCH = new Float64Array(1);
const F64_BYTES = new Uint8Array(F64_SCRATCH.buffer);

/** A growing byte buffer with the format's number encodings. */
export class Bytes {
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): this {
    if (this.length === this.buf.length) {
      const n = new Uint8Array(this.buf.length * 2);
      n.set(this.buf);
      this.buf = n;
    }
    this.buf[this.length++] = b;
    return this;
  }
  bytes(bs: ArrayLike<number>): this { for (let i = 0; i < bs.length; i++) this.byte(bs[i]); return this; }
  /** Unsigned LEB128 (u32). */
  u32(v: number): this {
    let x = v >>> 0;
    do {
      let b = x & 0x7f;
      x >>>= 7;
      if (x !== 0) b |= 0x80;
      this.byte(b);
    } while (x !== 0);
    return this;
  }
  /**
   * Signed LEB128 (i32 and i64 immediates). A number in the int32 range is encoded without
   * BigInt arithmetic (an emitter writes thousands of them per block: BigInt made it the
   * translator's main cost).
   */
  sleb(v: bigint | number): this {
    if (typeof v === 'number' && (v | 0) === v) {
      let n = v;
      for (;;) {
        const b = n & 0x7f;
        n >>= 7;
        if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) { this.byte(b); return this; }
        this.byte(b | 0x80);
      }
    }
    let x = BigInt(v);
    for (;;) {
      const b = Number(x & 0x7fn);
      x >>= 7n;
      if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) { this.byte(b); return this; }
      this.byte(b | 0x80);
    }
  }
  f64(v: number): this {
    F64_SCRATCH[0] = v;   // little-endian hosts only, as the hart's typed-array views of RAM
    return this.bytes(F64_BYTES);
  }
  name(s: string): this { this.u32(s.length); for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i)); return this; }
  section(id: number, body: Bytes): this { this.byte(id).u32(body.length); return this.bytes(body.view()); }
  view(): Uint8Array { return this.buf.subarray(0, this.length); }
}

/** A function's body: its locals, and its code without the closing `end`. */
export interface FunctionBody { locals: number[]; code: Bytes }

/** A function's entry in the code section (without its size): locals, one declaration per run of the same type, then the code. */
export function functionBytes({ locals, code }: FunctionBody): Bytes {
  const fn = new Bytes();
  const runs: [number, number][] = [];
  for (const t of locals) {
    if (runs.length > 0 && runs[runs.length - 1][1] === t) runs[runs.length - 1][0]++;
    else runs.push([1, t]);
  }
  fn.u32(runs.length);
  for (const [n, t] of runs) fn.u32(n).byte(t);
  return fn.bytes(code.view()).byte(OP.end);
}

/**
 * A module importing memory `m.mem` and exporting functions of one type, params -> results,
 * named "0", "1", ... in the order of `bodies`.
 */
export function moduleBytes(params: number[], results: number[], bodies: FunctionBody[]): Uint8Array {
  const out = new Bytes().bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  const types = new Bytes().u32(1).byte(0x60).u32(params.length).bytes(params).u32(results.length).bytes(results);
  out.section(1, types);
  out.section(2, new Bytes().u32(1).name('m').name('mem').byte(0x02).byte(0x00).u32(0));
  const funcs = new Bytes().u32(bodies.length);
  const exports = new Bytes().u32(bodies.length);
  const code = new Bytes().u32(bodies.length);
  bodies.forEach(({ locals, code: body }, i) => {
    funcs.u32(0);
    exports.name(String(i)).byte(0x00).u32(i);
    const fn = functionBytes({ locals, code: body });
    code.u32(fn.length).bytes(fn.view());
  });
  out.section(3, funcs);
  out.section(7, exports);
  out.section(10, code);
  return out.view().slice();
}
