// Overhead vectors: placeholder until the workloads land.
import type { ImageGroup } from '../build';
export function overheadGroups(): ImageGroup[] { return []; }
