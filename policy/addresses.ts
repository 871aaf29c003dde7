import * as ipaddr from "ipaddr.js";

/**
 * Addresses as sets, not strings: the one implementation of CIDR reasoning that the
 * settings (config/validators.ts imports it) and the policies share, so a hand-edited plan
 * gets the verdict its settings would have got.
 *
 * - Only canonical blocks are accepted where a user writes them: four decimal octets
 *   without leading zeros (`010.0.0.0/8` is 8.0.0.0/8 to some parsers and 10.0.0.0/8 to
 *   others; `0x0a` is hexadecimal), IPv6 in RFC 5952 form, no address bits beyond the
 *   prefix (`10.0.0.1/8`).
 * - An IPv4-mapped IPv6 block (`::ffff:10.0.0.0/104`) is the IPv4 block it maps; an IPv6
 *   block that contains the whole mapped range (`::/80`) counts as covering all of IPv4 too.
 * - A set is "open to everyone" when its blocks together cover all of IPv4 or all of IPv6,
 *   however they are cut (`0.0.0.0/1` + `128.0.0.0/1`).
 */

/** An address family. */
export type Family = "ipv4" | "ipv6";

/** A block of addresses, as an inclusive range of integers of its family. */
export interface AddressBlock {
    readonly family: Family;
    readonly first: bigint;
    readonly last: bigint;
    /** The block in canonical CIDR form (`10.0.0.0/8`, `2001:db8::/32`). */
    readonly cidr: string;
}

const bits: Readonly<Record<Family, number>> = { ipv4: 32, ipv6: 128 };
const mappedFirst = 0xffff00000000n; // ::ffff:0.0.0.0
const mappedLast = 0xffffffffffffn; // ::ffff:255.255.255.255

function toBigInt(bytes: readonly number[]): bigint {
    return bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}

function blockOf(family: Family, network: bigint, prefix: number): AddressBlock {
    const size = 1n << BigInt(bits[family] - prefix);
    const first = network & ~(size - 1n);
    return { family, first, last: first + size - 1n, cidr: `${render(family, first)}/${prefix}` };
}

function render(family: Family, value: bigint): string {
    const length = bits[family] / 8;
    const bytes: number[] = [];
    for (let i = length - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(i * 8)) & 0xffn));
    return ipaddr.fromByteArray(bytes).toString();
}

/** The IPv4 block an IPv4-mapped IPv6 block stands for, or the block itself. */
function unmapped(block: AddressBlock, prefix: number): AddressBlock {
    if (block.family !== "ipv6" || prefix < 96 || block.first < mappedFirst || block.last > mappedLast) return block;
    return blockOf("ipv4", block.first - mappedFirst, prefix - 96);
}

/** What reading one address text gave. */
export type ParsedBlock =
    | {
          readonly ok: true;
          readonly block: AddressBlock;
          /** Written the one unambiguous way: decimal octets or RFC 5952 IPv6, no host bits, not IPv4-mapped. */
          readonly canonical: boolean;
          /** The address had bits set beyond the prefix (`10.0.0.1/8`). */
          readonly hostBits: boolean;
      }
    | { readonly ok: false };

/**
 * Reads an address or CIDR block as leniently as a controller might (octal and hexadecimal
 * octets, host bits, a bare address as a /32 or /128), so that a policy sees what the
 * object can mean; `canonical` tells whether it was written the one unambiguous way.
 */
export function parseBlock(text: string): ParsedBlock {
    const value = text.trim();
    const slash = value.indexOf("/");
    const address = slash < 0 ? value : value.slice(0, slash);
    const prefixText = slash < 0 ? undefined : value.slice(slash + 1);
    if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return { ok: false };
    let parsed: ipaddr.IPv4 | ipaddr.IPv6;
    try {
        parsed = ipaddr.parse(address);
    } catch {
        return { ok: false };
    }
    const family: Family = parsed.kind();
    const prefix = prefixText === undefined ? bits[family] : Number(prefixText);
    if (prefix > bits[family]) return { ok: false };
    const value_ = toBigInt(parsed.toByteArray());
    const exact = blockOf(family, value_, prefix);
    const block = unmapped(exact, prefix);
    const hostBits = exact.first !== value_;
    const canonical = prefixText !== undefined && block === exact && !hostBits && value === exact.cidr;
    return { ok: true, block, canonical, hostBits };
}

/**
 * Why a CIDR block as written is not canonical: undefined when it is; otherwise a phrase
 * that starts with "expected" and names the canonical form where one can be read.
 */
export function canonicalProblem(text: string): string | undefined {
    const value = text.trim();
    if (!value.includes("/")) {
        const bare = parseBlock(value);
        return bare.ok ? `expected a CIDR block with its prefix length, such as ${bare.block.cidr}` : "expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32";
    }
    const decimal = decimalReading(value);
    const parsed = parseBlock(decimal ?? value);
    if (!parsed.ok) return "expected a CIDR block such as 10.0.0.0/8 or 2001:db8::/32";
    if (parsed.canonical && decimal === undefined) return undefined;
    const why =
        decimal !== undefined
            ? "octets in decimal without leading zeros: other parsers read this one as octal or hexadecimal"
            : parsed.block.family === "ipv4" && value.includes(":")
              ? "an IPv4-mapped IPv6 block is the IPv4 block it maps"
              : parsed.hostBits
                ? "no address bits beyond the prefix"
                : "lowercase, compressed, no leading zeros";
    return `expected the canonical CIDR block ${parsed.block.cidr} (${why})`;
}

/**
 * Four dotted IPv4 octets read as decimal (leading zeros dropped) or hexadecimal, when
 * that differs from how the text is written; undefined otherwise.
 */
function decimalReading(text: string): string | undefined {
    const m = /^((?:0x[0-9a-f]+|\d+)(?:\.(?:0x[0-9a-f]+|\d+)){3})\/(\d+)$/i.exec(text);
    if (!m) return undefined;
    const octets = m[1]!.split(".").map((o) => (/^0x/i.test(o) ? parseInt(o, 16) : parseInt(o, 10)));
    if (octets.some((o) => o > 255)) return undefined;
    const written = `${octets.join(".")}/${Number(m[2])}`;
    return written === text || !/(^|\.)(0\d|0x)/i.test(m[1]!) ? undefined : written;
}

/** A set of address blocks. */
export interface AddressSet {
    /** The blocks, as read. */
    readonly blocks: readonly AddressBlock[];
    /** Entries that are no address at all. */
    readonly unreadable: readonly string[];
}

/** Reads a list of addresses and blocks (each entry may itself be comma-separated, as annotations are). */
export function addressSet(entries: readonly string[]): AddressSet {
    const blocks: AddressBlock[] = [];
    const unreadable: string[] = [];
    for (const entry of entries.flatMap((e) => e.split(",")).map((e) => e.trim()).filter((e) => e.length > 0)) {
        const parsed = parseBlock(entry);
        if (parsed.ok) blocks.push(parsed.block);
        else unreadable.push(entry);
    }
    return { blocks, unreadable };
}

/** The ranges of one family, merged and sorted. */
function merged(blocks: readonly AddressBlock[], family: Family): [bigint, bigint][] {
    const ranges = blocks.filter((b) => b.family === family).map((b) => [b.first, b.last] as [bigint, bigint]);
    // An IPv6 block holding every IPv4-mapped address also covers all of IPv4.
    if (family === "ipv4" && blocks.some((b) => b.family === "ipv6" && b.first <= mappedFirst && b.last >= mappedLast)) ranges.push([0n, (1n << 32n) - 1n]);
    ranges.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const out: [bigint, bigint][] = [];
    for (const r of ranges) {
        const last = out[out.length - 1];
        if (last !== undefined && r[0] <= last[1] + 1n) last[1] = r[1] > last[1] ? r[1] : last[1];
        else out.push([r[0], r[1]]);
    }
    return out;
}

/** The families whose every address the blocks cover together (empty when the set is a real restriction). */
export function openFamilies(blocks: readonly AddressBlock[]): Family[] {
    return (["ipv4", "ipv6"] as const).filter((family) => {
        const ranges = merged(blocks, family);
        return ranges.length === 1 && ranges[0]![0] === 0n && ranges[0]![1] === (1n << BigInt(bits[family])) - 1n;
    });
}

/** "all of IPv4", "all of IPv4 and IPv6": what an open set covers, for messages. */
export function describeOpen(families: readonly Family[]): string {
    return `all of ${families.map((f) => (f === "ipv4" ? "IPv4" : "IPv6")).join(" and ")}`;
}

/** Why a list of blocks opens to everyone, for messages ("0.0.0.0/1 and 128.0.0.0/1 cover all of IPv4"), or undefined. */
export function openToEveryone(entries: readonly string[]): string | undefined {
    const set = addressSet(entries);
    const families = openFamilies(set.blocks);
    if (families.length === 0) return undefined;
    const parts = entries.flatMap((e) => e.split(",")).map((e) => e.trim()).filter((e) => e.length > 0 && !set.unreadable.includes(e));
    return `${parts.join(" + ")} ${parts.length > 1 ? "cover" : "covers"} ${describeOpen(families)}`;
}

/**
 * The blocks of `include` less those of `except` (a NetworkPolicy ipBlock's `cidr` and
 * `except`), as blocks of the same families.
 */
export function subtract(include: readonly AddressBlock[], except: readonly AddressBlock[]): AddressBlock[] {
    const out: AddressBlock[] = [];
    for (const family of ["ipv4", "ipv6"] as const) {
        let ranges = merged(include, family);
        for (const [a, b] of merged(except, family)) {
            ranges = ranges.flatMap(([x, y]): [bigint, bigint][] => {
                if (b < x || a > y) return [[x, y]];
                const pieces: [bigint, bigint][] = [];
                if (a > x) pieces.push([x, a - 1n]);
                if (b < y) pieces.push([b + 1n, y]);
                return pieces;
            });
        }
        for (const [first, last] of ranges) out.push({ family, first, last, cidr: `${render(family, first)}-${render(family, last)}` });
    }
    return out;
}
