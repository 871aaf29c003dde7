import { generate } from "selfsigned";

/**
 * Certificates for the doctor's loopback servers, made with `selfsigned`: a test CA, the
 * fake API server's certificate (for 127.0.0.1), and edge certificates for the probes'
 * cases (valid, expired, for another host, from an untrusted CA, from Let's Encrypt's
 * staging hierarchy). EC keys, so that generating them takes milliseconds.
 */

export interface KeyPair {
    readonly cert: string;
    readonly key: string;
}

const day = 86400000;

async function ca(commonName: string): Promise<KeyPair> {
    const pems = await generate([{ name: "commonName", value: commonName }], {
        keyType: "ec",
        algorithm: "sha256",
        notBeforeDate: new Date(Date.now() - 30 * day),
        notAfterDate: new Date(Date.now() + 3650 * day),
        extensions: [
            { name: "basicConstraints", cA: true, critical: true },
            { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        ],
    });
    return { cert: pems.cert, key: pems.private };
}

async function leaf(issuer: KeyPair, names: { dns?: readonly string[]; ips?: readonly string[] }, validity: { from: Date; to: Date }): Promise<KeyPair> {
    const commonName = names.dns?.[0] ?? names.ips?.[0] ?? "leaf";
    const pems = await generate([{ name: "commonName", value: commonName }], {
        keyType: "ec",
        algorithm: "sha256",
        notBeforeDate: validity.from,
        notAfterDate: validity.to,
        ca: { cert: issuer.cert, key: issuer.key },
        extensions: [
            { name: "basicConstraints", cA: false },
            { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
            { name: "extKeyUsage", serverAuth: true },
            { name: "subjectAltName", altNames: [...(names.dns ?? []).map((value) => ({ type: 2 as const, value })), ...(names.ips ?? []).map((ip) => ({ type: 7 as const, ip }))] },
        ],
    });
    return { cert: pems.cert, key: pems.private };
}

/** Every certificate the doctor's tests use. */
export interface TestCertificates {
    /** The CA the doctor is told to trust (`--ca`). */
    readonly ca: KeyPair;
    /** The fake API server's certificate, for 127.0.0.1. */
    readonly apiServer: KeyPair;
    /** The edge's certificates. */
    readonly edge: {
        readonly valid: KeyPair;
        readonly expired: KeyPair;
        readonly otherHost: KeyPair;
        readonly untrusted: KeyPair;
        readonly staging: KeyPair;
    };
}

let made: Promise<TestCertificates> | undefined;

/** Makes the certificates once per process. */
export function testCertificates(): Promise<TestCertificates> {
    made ??= (async () => {
        const now = Date.now();
        const current = { from: new Date(now - 10 * day), to: new Date(now + 80 * day) };
        const [testCa, otherCa, stagingCa] = await Promise.all([ca("Doctor Test CA"), ca("Some Other CA"), ca("(STAGING) Ersatz Edamame E1")]);
        const zone = ["*.example.com", "example.com"];
        const [apiServer, valid, expired, otherHost, untrusted, staging] = await Promise.all([
            leaf(testCa, { ips: ["127.0.0.1"] }, current),
            leaf(testCa, { dns: zone }, current),
            leaf(testCa, { dns: zone }, { from: new Date(now - 100 * day), to: new Date(now - 10 * day) }),
            leaf(testCa, { dns: ["other.example.org"] }, current),
            leaf(otherCa, { dns: zone }, current),
            leaf(stagingCa, { dns: zone }, current),
        ]);
        return { ca: testCa, apiServer, edge: { valid, expired, otherHost, untrusted, staging } };
    })();
    return made;
}
