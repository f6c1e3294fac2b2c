'use strict';
// Preload for the benchmark (`node --require bench/maxrss.cjs …`): at exit,
// writes this process's peak resident set size in KiB to $BENCH_MAXRSS_FILE.
// Child processes (e.g. esbuild's service) are not counted.
const { writeFileSync } = require('node:fs');

const file = process.env.BENCH_MAXRSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, String(process.resourceUsage().maxRSS));
  });
}
