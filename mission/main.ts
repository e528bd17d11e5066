/** `tsx mission/main.ts [--short] [--seed N] [--trace NAME]… [--policy NAME]… [--out DIR] [--config FILE]`: the scorecard. */
import { runMissionCommand } from './mission-cli.js';

process.exitCode = await runMissionCommand(process.argv.slice(2));
