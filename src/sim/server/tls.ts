// A self-signed serving certificate made at start (selfsigned, on Node's WebCrypto): valid for
// 127.0.0.1, ::1 and localhost, and usable as its own CA in a kubeconfig's certificate-authority-data.
import { generate } from 'selfsigned';

export interface ServingCertificate {
  readonly key: string;
  readonly cert: string;
}

export async function selfSignedCertificate(host: string): Promise<ServingCertificate> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + 365 * 24 * 3600 * 1000);
  const altNames: Array<{ type: 2; value: string } | { type: 7; ip: string }> = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  if (/^[\d.]+$/.test(host) && host !== '127.0.0.1') altNames.push({ type: 7, ip: host });
  const pems = await generate([{ name: 'commonName', value: 'lookout-sim-apiserver' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
