import { resolve } from 'node:path';

/** The repository root, wherever a test file sits under tests/. */
export const ROOT = resolve(__dirname, '..', '..');
