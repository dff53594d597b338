/** sd_listen_fds(3) semantics of listenFds, and which socket mlserve serves on (socketSource). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MlserveError } from '../../src/errors.js';
import { listenFds, socketSource } from '../../src/systemd/listenFds.js';

const ALL = ['LISTEN_PID', 'LISTEN_FDS', 'LISTEN_FDNAMES'];

test('listenFds: the sockets systemd passed to this pid, from fd 3, with their names', () => {
  const cases: Array<{ env: Record<string, string>; fds: Array<{ fd: number; name: string }>; unset: string[]; why: string }> = [
    { env: {}, fds: [], unset: [], why: 'not socket-activated' },
    { env: { LISTEN_PID: '42', LISTEN_FDS: '1' }, fds: [{ fd: 3, name: 'unknown' }], unset: ['LISTEN_PID', 'LISTEN_FDS'], why: 'one unnamed socket' },
    { env: { LISTEN_PID: '42', LISTEN_FDS: '1', LISTEN_FDNAMES: 'mlserve' }, fds: [{ fd: 3, name: 'mlserve' }], unset: ALL, why: 'named by FileDescriptorName=' },
    {
      env: { LISTEN_PID: '42', LISTEN_FDS: '2', LISTEN_FDNAMES: 'stats:mlserve' },
      fds: [{ fd: 3, name: 'stats' }, { fd: 4, name: 'mlserve' }],
      unset: ALL,
      why: 'several sockets, consecutive fds',
    },
    { env: { LISTEN_PID: '41', LISTEN_FDS: '1', LISTEN_FDNAMES: 'x' }, fds: [], unset: ALL, why: 'meant for the process that started us: ignored, still unset' },
    { env: { LISTEN_FDS: '1' }, fds: [], unset: ['LISTEN_FDS'], why: 'no LISTEN_PID: no sockets (sd_listen_fds)' },
    { env: { LISTEN_PID: '42' }, fds: [], unset: ['LISTEN_PID'], why: 'no LISTEN_FDS: none' },
    { env: { LISTEN_PID: '42', LISTEN_FDS: '0' }, fds: [], unset: ['LISTEN_PID', 'LISTEN_FDS'], why: 'zero sockets' },
  ];
  for (const c of cases) assert.deepEqual(listenFds(c.env, 42), { fds: c.fds, unset: c.unset }, c.why);
});

test('listenFds: malformed variables are ERR_SOCKET, naming the variable', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ LISTEN_PID: 'abc', LISTEN_FDS: '1' }, /LISTEN_PID="abc"/],
    [{ LISTEN_PID: '-42', LISTEN_FDS: '1' }, /LISTEN_PID/],
    [{ LISTEN_PID: '42', LISTEN_FDS: '1x' }, /LISTEN_FDS="1x"/],
    [{ LISTEN_PID: '42', LISTEN_FDS: ' 1' }, /LISTEN_FDS/],
    // sd_listen_fds_with_names: -EINVAL when the names do not match the count.
    [{ LISTEN_PID: '42', LISTEN_FDS: '2', LISTEN_FDNAMES: 'mlserve' }, /LISTEN_FDNAMES="mlserve" names 1 sockets, LISTEN_FDS=2/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => listenFds(env, 42), (err: unknown) => err instanceof MlserveError && err.code === 'ERR_SOCKET' && message.test(err.message));
  }
});

test('socketSource: an inherited socket is systemd\'s (inherited: true); without one mlserve binds the path', () => {
  const path = '/run/mlserve/mlserve.sock';
  assert.deepEqual(socketSource(path, []), { inherited: false, path });
  assert.deepEqual(socketSource(path, [{ fd: 3, name: 'unknown' }]), { inherited: true, fd: 3, name: 'unknown', path });
  assert.deepEqual(socketSource(path, [{ fd: 3, name: 'stats' }, { fd: 4, name: 'mlserve' }]), { inherited: true, fd: 4, name: 'mlserve', path });
  assert.throws(
    () => socketSource(path, [{ fd: 3, name: 'a' }, { fd: 4, name: 'b' }]),
    (err: unknown) => err instanceof MlserveError && err.code === 'ERR_SOCKET' && /2 sockets \(a, b\).*FileDescriptorName=mlserve/.test(err.message),
  );
});
