// The HTML report's context from the vectors themselves (tags, clauses, provenance, the code
// around a failing stop) and from the overhead budgets, for `devirt run --reporter html` and
// `devirt report html`.

import { prepareState } from '../../reference/run-state';
import { disassemble } from '../../reference/tools/disasm';
import type { ResultRecord, Vector } from '../../vectors/schema/types';
import { readBudgets } from '../gate/budgets';
import type { Item } from '../load';
import { Budget, buildContext, Disassembler, ReportContext } from '../reporters/html/context';

/** The budgets the overhead chart names; a report is still made when the file is unreadable. */
function chartBudgets(): Budget[] {
  try { return readBudgets().map((w) => ({ name: w.name, virtualizedBudgetPercent: w.virtualizedBudgetPercent })); }
  catch { return []; }
}

const referenceDisassembler: Disassembler = (inputs) => {
  const hart = prepareState(inputs).hart;
  return (pc) => {
    const bits = hart.peekInstruction(Number(BigInt.asIntN(64, pc)));
    if (bits === null) return null;
    return { text: disassemble(bits, Number(pc)), length: (bits & 3) === 3 ? 4 : 2 };
  };
};

export function contextFromItems(records: ResultRecord[], items: Item[], budgets = chartBudgets()): ReportContext {
  const vectors = new Map<string, Vector>();
  for (const it of items) if (it.vector && !vectors.has(it.vector.id)) vectors.set(it.vector.id, it.vector);
  return buildContext(records, vectors, budgets, referenceDisassembler);
}
