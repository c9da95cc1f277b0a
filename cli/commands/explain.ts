/** `backprop explain`: waits for the library's explainStep (src/train/explain.ts). */
import { Command } from 'commander';
import { UsageError } from '../errors.js';

export function explainCommand(): Command {
  return new Command('explain')
    .description('the forward and backward pass of a small network, number by number (not available yet)')
    .action(() => {
      throw new UsageError('explain: not available in this build yet');
    });
}
