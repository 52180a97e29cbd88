/**
 * A throwaway certificate authority and a server certificate it signed, made by the openssl CLI (scripts/setup.sh
 * checks it is installed) for the TLS tests: the server certificate is for `localhost` and 127.0.0.1
 * (subjectAltName), valid two days, RSA 2048.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** PEM files (and the CA's PEM bytes) of a test CA and its server certificate. */
export interface TestCa {
  /** The CA certificate, PEM: what a client must be given to trust the server. */
  caPem: Buffer;
  caFile: string;
  /** The server certificate (PEM) and its unencrypted private key (PEM). */
  certFile: string;
  keyFile: string;
}

/** Makes a CA and a server certificate for localhost/127.0.0.1 in `dir` (which must exist). */
export function makeTestCa(dir: string): TestCa {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=spark-optimizer test CA',
  ]);
  run([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  ]);
  fs.writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run([
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  ]);
  const caFile = path.join(dir, 'ca.pem');
  return {
    caPem: fs.readFileSync(caFile),
    caFile,
    certFile: path.join(dir, 'server.pem'),
    keyFile: path.join(dir, 'server.key'),
  };
}
