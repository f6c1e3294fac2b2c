/** Seeded randomness for property tests: the same cases on every run, no dependency (the simulator's mulberry32). */
export { seededRandom } from '../../tools/simulator/engine';

/** An integer in [low, high], drawn from `random`. */
export function pick(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}
