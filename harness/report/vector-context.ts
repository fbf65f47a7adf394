// The HTML report's context from the vectors themselves (tags, clauses, provenance, the code
// around a failing stop) and from the overhead budgets, for `devirt run --reporter html` and
// `devirt report html`.

import * as fs from 'fs';
import * as path from 'path';
import { prepareState } from '../../reference/run-state';
import { disassemble } from '../../reference/tools/disasm';
import type { ResultRecord, Vector } from '../../vectors/schema/types';
import type { Item } from '../load';
import { Budget, buildContext, Disassembler, ReportContext } from '../reporters/html/context';

export const BUDGETS_FILE = path.resolve(__dirname, '../../../ci/budgets.json');

export function readBudgets(file = BUDGETS_FILE): Budget[] {
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { workloads?: Budget[] };
    return (doc.workloads ?? []).map((w) => ({ name: w.name, virtualizedBudgetPercent: w.virtualizedBudgetPercent }));
  } catch {
    return [];
  }
}

const referenceDisassembler: Disassembler = (inputs) => {
  const hart = prepareState(inputs).hart;
  return (pc) => {
    const bits = hart.peekInstruction(Number(BigInt.asIntN(64, pc)));
    if (bits === null) return null;
    return { text: disassemble(bits, Number(pc)), length: (bits & 3) === 3 ? 4 : 2 };
  };
};

export function contextFromItems(records: ResultRecord[], items: Item[], budgets = readBudgets()): ReportContext {
  const vectors = new Map<string, Vector>();
  for (const it of items) if (it.vector && !vectors.has(it.vector.id)) vectors.set(it.vector.id, it.vector);
  return buildContext(records, vectors, budgets, referenceDisassembler);
}
