/**
 * Boots a launch template's user data the way cloud-init does, minus the
 * instance: the script is written to a scratch root, made executable and run
 * through its own shebang, chrooted, with stub commands first on PATH. The
 * scratch root is a fresh directory with the host's /usr and /dev bound in
 * read-only (so real bash, coreutils and seq run) and everything else empty
 * and writable, inside a private user and mount namespace: whatever the script
 * writes (/etc, /var, /opt) lands in the scratch root, never on this machine.
 *
 * The stubs stand in for what an instance talks to:
 * - `curl`: IMDSv2 (a token on PUT, then region and instance ID only with
 *   that token) and the app's health URL, which answers only when told to;
 * - `aws`, `systemctl`, `dnf`/`yum`: record their argv and succeed (the
 *   package manager also creates httpd's docroot, as the package does).
 * Each records one line per call, its arguments joined by U+001F.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const STUB_INSTANCE_ID = 'i-0123456789abcdef0';
const STUB_TOKEN = 'stub-imds-token';
/** Where cloud-init keeps the script it runs. */
const SCRIPT_PATH = '/var/lib/cloud/instance/scripts/part-001';

export interface BootOptions {
  /** What IMDS answers for placement/region. */
  readonly region: string;
  /** The URL the app answers on, when it answers. */
  readonly healthUrl: string;
  /** Whether the app ever answers. */
  readonly healthy: boolean;
  /** Files to read back from the root afterwards, by their path on the instance. */
  readonly capture?: readonly string[];
}

export interface BootResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** argv of every call to each stub, in order. */
  readonly calls: Record<'aws' | 'curl' | 'systemctl' | 'dnf', string[][]>;
  /** The captured files' contents; undefined where the script wrote none. */
  readonly files: Record<string, string | undefined>;
}

const RECORD = `printf '%s\\037' "$@" >> "/stub-log/$(basename "$0")"; printf '\\n' >> "/stub-log/$(basename "$0")"`;

const STUBS: Record<string, string> = {
  curl: `${RECORD}
url=''; method=GET; token=''; ttl=''
while [ $# -gt 0 ]; do
  case "$1" in
    -X) method=$2; shift ;;
    -H) case "$2" in
          'X-aws-ec2-metadata-token: '*) token=\${2#X-aws-ec2-metadata-token: } ;;
          'X-aws-ec2-metadata-token-ttl-seconds: '*) ttl=\${2#X-aws-ec2-metadata-token-ttl-seconds: } ;;
        esac; shift ;;
    -o|--max-time|--retry) shift ;;
    http://*|https://*) url=$1 ;;
  esac
  shift
done
case "$url" in
  http://169.254.169.254/latest/api/token)
    [ "$method" = PUT ] && [ -n "$ttl" ] || exit 22
    printf '%s' '${STUB_TOKEN}' ;;
  http://169.254.169.254/latest/meta-data/*)
    [ "$token" = '${STUB_TOKEN}' ] || exit 22  # IMDSv2 only: 401 without the token
    case "\${url#http://169.254.169.254/latest/meta-data/}" in
      placement/region) printf '%s' "$STUB_REGION" ;;
      instance-id) printf '%s' '${STUB_INSTANCE_ID}' ;;
      *) exit 22 ;;
    esac ;;
  "$STUB_HEALTH_URL")
    [ "$STUB_HEALTHY" = yes ] || exit 7  # connection refused
    printf 'ok\\n' ;;
  *) exit 6 ;;  # could not resolve host: instances reach nothing else here
esac
`,
  aws: RECORD,
  systemctl: RECORD,
  dnf: `${RECORD}
case " $* " in *' httpd '*) mkdir -p /var/www/html ;; esac`,
};

/** Runs `script` as an instance's first boot would, and returns what it did. */
export function bootUserData(script: string, options: BootOptions): BootResult {
  const root = mkdtempSync(join(tmpdir(), 'user-data-root-'));
  try {
    layRoot(root);
    writeFileSync(join(root, SCRIPT_PATH), script);
    chmodSync(join(root, SCRIPT_PATH), 0o700);
    // --kill-child and the inner timeout: a script that hangs is killed with everything it started.
    const unshare = ['--user', '--map-root-user', '--mount', '--fork', '--kill-child'];
    const run = spawnSync('unshare', [...unshare, 'sh', '-c', CHROOT, 'boot', root, SCRIPT_PATH, String(BOOT_TIMEOUT_SECONDS)], {
      encoding: 'utf8',
      timeout: (BOOT_TIMEOUT_SECONDS + 10) * 1000,
      env: {
        PATH: '/stub-bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        HOME: '/root',
        LANG: 'C.UTF-8',
        // The readiness loop's waits, shortened; on an instance they are unset.
        READINESS_ATTEMPTS: '3',
        READINESS_INTERVAL: '0',
        STUB_REGION: options.region,
        STUB_HEALTH_URL: options.healthUrl,
        STUB_HEALTHY: options.healthy ? 'yes' : 'no',
      },
    });
    if (run.error) throw new Error(`running user data needs util-linux's unshare: ${run.error.message}`);
    if (/unshare: .*(Operation not permitted|Permission denied)/.test(run.stderr)) {
      throw new Error(`running user data needs user namespaces (unshare --user): ${run.stderr.trim()}`);
    }
    const calls = (stub: string) =>
      (readIfExists(join(root, 'stub-log', stub)) ?? '')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\u001f').slice(0, -1));
    return {
      status: run.status,
      stdout: run.stdout,
      stderr: run.stderr,
      calls: { aws: calls('aws'), curl: calls('curl'), systemctl: calls('systemctl'), dnf: calls('dnf') },
      // What the boot wrote under /usr/local lies in the scratch directory mounted there.
      files: Object.fromEntries((options.capture ?? []).map((path) => [path, readIfExists(join(root, path.replace(/^\/usr\/local\//, '/scratch-usr-local/')))])),
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Longer than any shipped script needs with the waits shortened; a hung one fails, it does not stall the suite. */
const BOOT_TIMEOUT_SECONDS = 60;

/**
 * Binds /usr and /dev read-only into the root, then runs the script chrooted.
 * `$1` is the root, `$2` the script's path inside it, `$3` the time it gets.
 */
const CHROOT = `set -e
for dir in usr dev; do
  mount --rbind "/$dir" "$1/$dir"
  mount -o remount,bind,ro "$1/$dir"
done
# /usr/local is the instance's own, and writable, as on Amazon Linux (a boot script may install a tool there).
mount --bind "$1/scratch-usr-local" "$1/usr/local"
exec timeout -s KILL "$3" chroot "$1" "$2"`;

function layRoot(root: string): void {
  for (const dir of ['usr', 'scratch-usr-local/bin', 'dev', 'etc/systemd/system', 'var/lib/cloud/instance/scripts', 'var/log', 'tmp', 'root', 'home', 'opt', 'run', 'srv', 'stub-bin', 'stub-log']) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  // This machine merges /bin, /lib and /sbin into /usr, as Amazon Linux does.
  for (const link of ['bin', 'lib', 'lib64', 'sbin']) {
    const target = `/${link}`;
    if (existsSync(target) && !lstatSync(target).isSymbolicLink()) throw new Error(`${target} is not a link into /usr: the scratch root assumes a merged /usr`);
    if (existsSync(target)) symlinkSync(`usr/${link}`, join(root, link));
  }
  for (const [name, body] of Object.entries(STUBS)) {
    writeFileSync(join(root, 'stub-bin', name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
  }
  writeFileSync(join(root, 'stub-bin', 'yum'), '#!/bin/bash\nexec dnf "$@"\n', { mode: 0o755 });
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** `bash -n`, then shellcheck, on a script; returns their complaints, empty when clean. */
export function lintScript(script: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'user-data-lint-'));
  try {
    const file = join(dir, 'user-data.sh');
    writeFileSync(file, script);
    const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    const check = spawnSync('shellcheck', ['--shell=bash', '--format=gcc', file], { encoding: 'utf8' });
    if (check.error) throw new Error('shellcheck not found on PATH: install it (Debian/Ubuntu: apt-get install shellcheck; macOS: brew install shellcheck)');
    return [syntax.stderr, check.stdout].flatMap((out) => out.split('\n')).filter(Boolean);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
