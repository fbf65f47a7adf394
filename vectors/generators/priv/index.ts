// The `priv` suite: one vector file per family, in a fixed order.

import type { VectorDraft } from '../isa';
import { unique } from '../unique';
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

/**
 * Each family's drafts, with every test emitted once across the whole suite: a draft whose inputs
 * and observed regions repeat an earlier one's (in its own family or an earlier family) is dropped,
 * so the first title wins and ids stay stable. Built once for all families.
 */
let byFamily: Map<string, VectorDraft[]> | undefined;
function uniqueByFamily(): Map<string, VectorDraft[]> {
  if (byFamily) return byFamily;
  const seen = new Set<string>();
  byFamily = new Map();
  for (const [name, cases] of PRIV_FAMILIES) {
    byFamily.set(name, [...unique([...cases()].map((c) => draft(c)), seen)]);
  }
  return byFamily;
}

export function* privDrafts(family: string): Generator<VectorDraft> {
  const drafts = uniqueByFamily().get(family);
  if (!drafts) throw new Error(`unknown priv family ${family}`);
  yield* drafts;
}
