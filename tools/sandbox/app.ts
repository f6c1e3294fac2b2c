/**
 * The sandbox's cdktf app (`cdktf synth --app`): the product's own
 * composition (main.ts), built for the emulator target instead of AWS.
 */
import { runSynthesis } from '../../main';
import { emulatorTargetFromEnvironment } from './target';

runSynthesis(emulatorTargetFromEnvironment());
