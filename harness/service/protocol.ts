// The service protocol as the harness speaks it (conformance/service-protocol.md): addresses,
// the request line, the response line. One definition for the client, the CLI and the tests.

import { ip } from '../../reference/tools/net-frames';

export const SERVICE_IP = ip('10.0.0.2');
export const SERVICE_PORT = 7000;
export const HOST_IP = ip('10.0.0.1');
export const HOST_MAC = Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x00, 0x01);
/** Client n sends from this UDP port + n. */
export const CLIENT_PORT_BASE = 40000;
/** Where the harness puts the next image on the service's disk (4 MiB in; the log lies below). */
export const IMAGE_SECTOR = 8192;
export const DISK_BYTES = 8 * 1024 * 1024;
export const KEY_MAX = 48;
export const VALUE_MAX = 200;

export type Op =
  | { op: 'GET' | 'DEL'; key: string }
  | { op: 'PUT'; key: string; value: string }
  | { op: 'VERSION' | 'STATS' | 'PING' }
  | { op: 'UPGRADE' | 'IMAGE'; args: string };

export function requestLine(client: number, reqid: number, o: Op): string {
  const head = `${client}:${reqid} ${o.op}`;
  switch (o.op) {
    case 'GET': case 'DEL': return `${head} ${o.key}`;
    case 'PUT': return `${head} ${o.key} ${o.value}`;
    case 'UPGRADE': case 'IMAGE': return `${head} ${o.args}`;
    default: return head;
  }
}

export interface Response {
  client: number;
  reqid: number;
  status: string;
  version: number;
  /** The rest of the line after the version (and one space), or null when there is none. */
  payload: string | null;
}

/** Parse a response line; null if it is not one (the caller reports it as a wrong response). */
export function parseResponse(text: string): Response | null {
  const line = text.endsWith('\n') ? text.slice(0, -1) : text;
  const m = /^(\d+):(\d+) ([A-Z]+) (\d+)(?: (.*))?$/s.exec(line);
  if (!m) return null;
  return { client: Number(m[1]), reqid: Number(m[2]), status: m[3], version: Number(m[4]), payload: m[5] ?? null };
}
