// Test PKI made at test time with Debian's openssl: a federation CA, a coordinator certificate
// for 127.0.0.1, per-site client certificates (CN = site id), and a rogue CA.

import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export function hasOpenssl(): boolean {
  return spawnSync("openssl", ["version"], { stdio: "ignore" }).status === 0;
}

const openssl = (dir: string, args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

export function makeCa(dir: string, name: string): { cert: string; key: string } {
  openssl(dir, [
    "req",
    "-x509",
    ...newKey,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    "-subj",
    `/CN=${name}`,
  ]);
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

export function issue(
  dir: string,
  ca: { cert: string; key: string },
  name: string,
  commonName: string,
  extensions: string,
): { cert: string; key: string } {
  writeFileSync(join(dir, `${name}.ext`), `${extensions}\n`);
  openssl(dir, [
    "req",
    ...newKey,
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.csr`,
    "-subj",
    `/CN=${commonName}`,
  ]);
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    ca.cert,
    "-CAkey",
    ca.key,
    "-CAcreateserial",
    "-out",
    `${name}.crt`,
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
  ]);
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

export function serverCertificate(dir: string, ca: { cert: string; key: string }) {
  return issue(
    dir,
    ca,
    "coordinator",
    "127.0.0.1",
    "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth",
  );
}

/** fileName keeps certificates for the same site id from different CAs apart. */
export function clientCertificate(
  dir: string,
  ca: { cert: string; key: string },
  siteId: string,
  fileName = `site-${siteId}`,
) {
  return issue(dir, ca, fileName, siteId, "extendedKeyUsage=clientAuth");
}
