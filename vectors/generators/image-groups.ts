// The suites whose vectors are whole images (firmware + kernel) rather than hart states.
import type { ImageGroup } from '../build';
import { transparencyGroups } from './transparency';
import { overheadGroups } from './overhead';
import { mkernelGroups } from './mkernel';
import { isolationGroups } from './isolation';
import { transparencyInstanceGroups } from './transparency-instances';
import { overheadInstanceGroups } from './overhead-instances';

export function imageGroups(): ImageGroup[] {
  return [...transparencyGroups(), ...transparencyInstanceGroups(), ...overheadGroups(), ...overheadInstanceGroups(), ...mkernelGroups(), ...isolationGroups()];
}
