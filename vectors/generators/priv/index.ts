// The `priv` suite: one vector file per family, in a fixed order.

import type { VectorDraft } from '../isa';
import { counters, csrAccess, csrReadOnly, csrSemantics, unimplementedCsrs } from './csrs';
import { clintInterrupts, plicInterrupts, softwareInterrupts, sstc, vectoredStvec } from './interrupts';
import { pmpLocking, pmpModes, pmpNoMatch, pmpPriority, pmpWalks } from './pmp';
import { Case, draft } from './program';
import { sv39Mprv, sv39Permissions, sv39Structure } from './sv39';
import { exceptions, waitAndVm, xret } from './traps';

export const PRIV_FAMILIES: [string, () => Iterable<Case>][] = [
  ['csr-semantics', csrSemantics],
  ['csr-read-only', csrReadOnly],
  ['csr-access', csrAccess],
  ['csr-unimplemented', unimplementedCsrs],
  ['counters', counters],
  ['exceptions', exceptions],
  ['xret', xret],
  ['wfi-tvm', waitAndVm],
  ['interrupts-software', softwareInterrupts],
  ['interrupts-clint', clintInterrupts],
  ['interrupts-sstc', sstc],
  ['interrupts-plic', plicInterrupts],
  ['interrupts-vectored', vectoredStvec],
  ['sv39-permissions', sv39Permissions],
  ['sv39-structure', sv39Structure],
  ['sv39-mprv', sv39Mprv],
  ['pmp-modes', pmpModes],
  ['pmp-priority', pmpPriority],
  ['pmp-locking', pmpLocking],
  ['pmp-walks', pmpWalks],
  ['pmp-no-match', pmpNoMatch],
];

export function* privDrafts(family: string): Generator<VectorDraft> {
  const f = PRIV_FAMILIES.find(([name]) => name === family);
  if (!f) throw new Error(`unknown priv family ${family}`);
  for (const c of f[1]()) yield draft(c);
}
