// Flattened device tree (Devicetree Specification v0.4, chapter 5): a writer for the tree the
// boot ROM hands to software, and a small reader that parses any DTB back (tests, tools).
// Big-endian throughout; version 17, last compatible version 16.

export type FdtValue = number | number[] | string | string[] | Uint8Array | bigint[];
export interface FdtNode { name: string; props: [string, FdtValue][]; children: FdtNode[] }

export const FDT_MAGIC = 0xd00dfeed;
const FDT_BEGIN_NODE = 1, FDT_END_NODE = 2, FDT_PROP = 3, FDT_NOP = 4, FDT_END = 9;
const HEADER_SIZE = 40;

export class FdtError extends Error {}

export const fdtNode = (name: string, props: [string, FdtValue][], children: FdtNode[] = []): FdtNode => ({ name, props, children });

/** Encode a property value: numbers as 32-bit cells, bigints as 64-bit, strings NUL-terminated. */
export function encodeValue(v: FdtValue): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'number') return encodeValue([v]);
  if (typeof v === 'string') return encodeValue([v]);
  if (v.length === 0) return new Uint8Array(0);
  if (typeof v[0] === 'string') return new Uint8Array(Buffer.from((v as string[]).map((s) => s + '\0').join(''), 'latin1'));
  if (typeof v[0] === 'bigint') {
    const b = Buffer.alloc(8 * v.length);
    (v as bigint[]).forEach((x, i) => b.writeBigUInt64BE(BigInt.asUintN(64, x), 8 * i));
    return new Uint8Array(b);
  }
  const b = Buffer.alloc(4 * v.length);
  (v as number[]).forEach((x, i) => b.writeUInt32BE(x >>> 0, 4 * i));
  return new Uint8Array(b);
}

export function writeDtb(root: FdtNode, opts: { bootCpuId?: number } = {}): Uint8Array {
  const strings: string[] = [];
  const stringOff = new Map<string, number>();
  let strSize = 0;
  const nameOff = (n: string) => {
    let o = stringOff.get(n);
    if (o === undefined) { o = strSize; stringOff.set(n, o); strings.push(n); strSize += n.length + 1; }
    return o;
  };
  const parts: Uint8Array[] = [];
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); parts.push(b); };
  const padded = (b: Uint8Array) => { parts.push(b); const pad = (4 - (b.length % 4)) % 4; if (pad) parts.push(new Uint8Array(pad)); };
  const emit = (n: FdtNode) => {
    u32(FDT_BEGIN_NODE);
    padded(Buffer.from(n.name + '\0', 'latin1'));
    for (const [k, v] of n.props) {
      const data = encodeValue(v);
      u32(FDT_PROP); u32(data.length); u32(nameOff(k));
      padded(data);
    }
    for (const c of n.children) emit(c);
    u32(FDT_END_NODE);
  };
  emit(root);
  u32(FDT_END);
  const struct = Buffer.concat(parts);
  const strBlock = Buffer.from(strings.map((s) => s + '\0').join(''), 'latin1');
  const rsvOff = HEADER_SIZE;
  const rsv = Buffer.alloc(16); // the memory reservation map: just its terminating empty entry
  const structOff = rsvOff + rsv.length;
  const stringsOff = structOff + struct.length;
  const total = stringsOff + strBlock.length;
  const h = Buffer.alloc(HEADER_SIZE);
  [FDT_MAGIC, total, structOff, stringsOff, rsvOff, 17, 16, opts.bootCpuId ?? 0, strBlock.length, struct.length]
    .forEach((v, i) => h.writeUInt32BE(v, i * 4));
  return new Uint8Array(Buffer.concat([h, rsv, struct, strBlock]));
}

/** A node read back from a DTB: property bytes by name, children in order. */
export interface ParsedNode { name: string; props: Map<string, Uint8Array>; children: ParsedNode[] }

export function readDtb(bytes: Uint8Array): ParsedNode {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string): never => { throw new FdtError(`device tree: ${what}`); };
  if (bytes.length < HEADER_SIZE) fail('shorter than its header');
  if (dv.getUint32(0) !== FDT_MAGIC) fail(`bad magic 0x${dv.getUint32(0).toString(16)}`);
  const total = dv.getUint32(4), structOff = dv.getUint32(8), stringsOff = dv.getUint32(12);
  const version = dv.getUint32(20), stringsSize = dv.getUint32(32), structSize = dv.getUint32(36);
  if (total > bytes.length) fail(`totalsize ${total} exceeds the ${bytes.length} bytes given`);
  if (version < 16) fail(`version ${version} is older than 16`);
  if (structOff + structSize > total || stringsOff + stringsSize > total) fail('blocks extend past totalsize');
  const end = structOff + structSize;
  let p = structOff;
  const word = () => { if (p + 4 > end) fail('structure block truncated'); const v = dv.getUint32(p); p += 4; return v; };
  const cstring = (from: number, limit: number) => {
    let e = from;
    while (e < limit && bytes[e] !== 0) e++;
    if (e >= limit) fail('unterminated string');
    return Buffer.from(bytes.subarray(from, e)).toString('latin1');
  };
  const stack: ParsedNode[] = [];
  let root: ParsedNode | null = null;
  for (;;) {
    const tok = word();
    if (tok === FDT_BEGIN_NODE) {
      const name = cstring(p, end);
      p += (name.length + 1 + 3) & ~3;
      const n: ParsedNode = { name, props: new Map(), children: [] };
      if (stack.length) stack[stack.length - 1].children.push(n);
      else if (root) fail('more than one root node'); else root = n;
      stack.push(n);
    } else if (tok === FDT_PROP) {
      const len = word(), off = word();
      if (!stack.length) fail('property outside a node');
      if (p + len > end) fail('property value truncated');
      if (off >= stringsSize) fail(`property name offset ${off} outside the strings block`);
      const name = cstring(stringsOff + off, stringsOff + stringsSize);
      stack[stack.length - 1].props.set(name, bytes.slice(p, p + len));
      p += (len + 3) & ~3;
    } else if (tok === FDT_END_NODE) {
      if (!stack.pop()) fail('unbalanced FDT_END_NODE');
    } else if (tok === FDT_NOP) {
      continue;
    } else if (tok === FDT_END) {
      if (stack.length) fail('FDT_END inside a node');
      break;
    } else fail(`unknown token ${tok}`);
  }
  if (!root) fail('no root node');
  return root as ParsedNode;
}

/** The node at a path like "/soc/serial@10000000", or undefined. */
export function findNode(root: ParsedNode, path: string): ParsedNode | undefined {
  let n: ParsedNode | undefined = root;
  for (const part of path.split('/').filter(Boolean)) {
    n = n.children.find((c) => c.name === part);
    if (!n) return undefined;
  }
  return n;
}

export const propCells = (v: Uint8Array | undefined): number[] => {
  if (!v) return [];
  const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
  return Array.from({ length: v.length >> 2 }, (_, i) => dv.getUint32(4 * i));
};
export const propStrings = (v: Uint8Array | undefined): string[] =>
  v ? Buffer.from(v).toString('latin1').split('\0').slice(0, -1) : [];

/**
 * A device tree given by the user (QEMU's -dtb) with /chosen's properties set as QEMU's virt sets
 * them on it (bootargs, the initrd's bounds): the other nodes are kept as they are.
 */
export function withChosen(bytes: Uint8Array, chosen: [string, FdtValue][]): Uint8Array {
  const root = readDtb(bytes);
  const toNode = (n: ParsedNode): FdtNode => fdtNode(n.name, [...n.props], n.children.map(toNode));
  const tree = toNode(root);
  let node = tree.children.find((c) => c.name === 'chosen');
  if (!node) { node = fdtNode('chosen', []); tree.children.unshift(node); }
  for (const [name, value] of chosen) {
    const i = node.props.findIndex(([n]) => n === name);
    if (i >= 0) node.props[i] = [name, value]; else node.props.push([name, value]);
  }
  const bootCpuId = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(28);
  return writeDtb(tree, { bootCpuId });
}
