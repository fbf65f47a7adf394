// Negative control: answers every request at once without running anything. Its "observation"
// is the initial state stopped on an ebreak at the first instruction, which is what a lazy
// implementation would send to look successful. The protocol never sends the expectation, so
// there is nothing better it could copy; the harness must report failures.

import { regionBytes } from '../../reference/state';
import { serve } from '../adapters/serve';
import { controlHello } from './control';

serve(controlHello('pass-like'), {
  run(msg) {
    if (msg.inputs.kind === 'image') return { console: '', exit: { kind: 'finisher', code: 0 } };
    if (msg.inputs.kind === 'service') throw new Error('the pass-like control runs no service vectors');
    const { hart, memory } = msg.inputs;
    const x: Record<string, string> = {};
    for (let i = 1; i < 32; i++) x['x' + i] = hart.x?.['x' + i] ?? '0x0';
    const given = (base: bigint, length: number) => {
      const out = Buffer.alloc(length);
      for (const r of memory) {
        const start = BigInt(r.base), bytes = regionBytes(r);
        for (let k = 0; k < length; k++) { const o = base + BigInt(k) - start; if (o >= 0n && o < BigInt(bytes.length)) out[k] = bytes[Number(o)]; }
      }
      return out.toString('hex');
    };
    return {
      x, pc: hart.pc, exit: { kind: 'trap', cause: '0x3', tval: '0x0', epc: hart.pc },
      memory: (msg.observe ?? []).map((o) => ({ base: o.base, bytes: given(BigInt(o.base), o.length) })),
    };
  },
});
