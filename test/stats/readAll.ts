import { once } from 'node:events';
import { connect } from 'node:net';
import type { StatsAddress } from '../../src/stats/statsServer.js';

/**
 * A stats client: connects, optionally writes `send` (and with `halfClose` shuts its side),
 * and reads until the server closes; '' when the server closed without a document.
 */
export async function readAll(address: StatsAddress, send?: string, options: { halfClose?: boolean } = {}): Promise<string> {
  const socket = typeof address === 'string' ? connect(address) : connect(address.port, address.host);
  // A server that drops the client (no document) may reset it: that is an empty answer here.
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  if (send !== undefined) socket.write(send);
  if (options.halfClose) socket.end();
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('utf8');
}
