/**
 * The hashes Terraform records for a provider package in `.terraform.lock.hcl`:
 * `h1:` (golang.org/x/mod/sumdb/dirhash Hash1 over the unpacked files) and
 * `zh:` (SHA-256 of the release zip). Files are read in chunks: the AWS
 * provider binary is ~700 MB.
 */
import { createHash, type Hash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

const CHUNK = 4 << 20;

function hashFile(file: string, hash: Hash): Hash {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let read = readSync(fd, buffer, 0, CHUNK, null); read > 0; read = readSync(fd, buffer, 0, CHUNK, null)) {
      hash.update(buffer.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
  return hash;
}

/** Hex SHA-256 of a file's bytes. */
export function sha256File(file: string): string {
  return hashFile(file, createHash('sha256')).digest('hex');
}

/** `zh:` of a release zip: the SHA-256 the registry publishes in its SHA256SUMS. */
export function zipHash(zip: string): string {
  return `zh:${sha256File(zip)}`;
}

/** Every file under `dir`, as slash-separated paths relative to it (dirhash.DirFiles with no prefix). */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix)).flatMap((name) => {
    const rel = prefix ? `${prefix}/${name}` : name;
    // Like filepath.Walk: a symlink is not descended into but read as a file (open follows it).
    return lstatSync(join(dir, rel)).isDirectory() ? filesUnder(dir, rel) : [rel];
  });
}

/**
 * `h1:` of an unpacked provider directory, as Terraform computes it
 * (getproviders.PackageHashV1): base64 SHA-256 of the lines
 * "<hex SHA-256 of the file>  <relative path>\n", one per file, sorted by path.
 */
export function dirHash(dir: string): string {
  const root = realpathSync(dir);
  // Go sorts strings by bytes; compare the UTF-8 bytes, not UTF-16 code units.
  const files = filesUnder(root).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const summary = createHash('sha256');
  for (const file of files) {
    if (file.includes('\n')) throw new Error(`dirhash: file names with newlines are not supported: ${JSON.stringify(file)}`);
    summary.update(`${sha256File(join(root, file))}  ${file}\n`);
  }
  return `h1:${summary.digest('base64')}`;
}
