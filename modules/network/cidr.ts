/**
 * IPv4 CIDR arithmetic, done in TypeScript rather than with Terraform's
 * `cidrsubnet()` so that subnet layouts can be validated (and shown in the
 * synth summary) before anything is written.
 */

export interface Ipv4Block {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  /** Prefix length, 0–32. */
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined when malformed or when host bits are set. */
export function parseCidr(cidr: string): Ipv4Block | undefined {
  const match = CIDR_PATTERN.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const network = address - (address % blockSize(prefix));
  if (network !== address) return undefined;
  return { network, prefix };
}

export function formatCidr(block: Ipv4Block): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(block.network / 2 ** shift) % 256);
  return `${octets.join('.')}/${block.prefix}`;
}

function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

/** True when `inner` lies entirely inside `outer`. */
export function contains(outer: Ipv4Block, inner: Ipv4Block): boolean {
  return (
    inner.prefix >= outer.prefix &&
    inner.network >= outer.network &&
    inner.network + blockSize(inner.prefix) <= outer.network + blockSize(outer.prefix)
  );
}

export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.network < b.network + blockSize(b.prefix) && b.network < a.network + blockSize(a.prefix);
}

/**
 * The `index`-th sub-block of `parent` with prefix `prefix`; the same result
 * as Terraform's `cidrsubnet(parent, prefix - parent.prefix, index)`.
 */
export function subnetAt(parent: Ipv4Block, prefix: number, index: number): Ipv4Block {
  return { network: parent.network + index * blockSize(prefix), prefix };
}

/** How many blocks of `prefix` fit in `parent`. */
export function subnetCount(parent: Ipv4Block, prefix: number): number {
  return prefix < parent.prefix ? 0 : 2 ** (prefix - parent.prefix);
}

export interface SubnetLayout {
  readonly public: string[];
  readonly private: string[];
}

/**
 * Default layout: public subnets from the bottom of the VPC range and private
 * subnets from the middle, so both tiers can grow by AZ without renumbering.
 * Returns undefined when `azCount` subnets of `prefix` do not fit in each half.
 */
export function defaultSubnetLayout(vpcCidr: string, prefix: number, azCount: number): SubnetLayout | undefined {
  const vpc = parseCidr(vpcCidr);
  if (!vpc) return undefined;
  const half = subnetCount(vpc, prefix) / 2;
  if (half < azCount || !Number.isInteger(half)) return undefined;
  const range = Array.from({ length: azCount }, (_, i) => i);
  return {
    public: range.map((i) => formatCidr(subnetAt(vpc, prefix, i))),
    private: range.map((i) => formatCidr(subnetAt(vpc, prefix, half + i))),
  };
}
