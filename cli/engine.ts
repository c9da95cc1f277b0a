/**
 * The one place the command imports the engine from, so that switching to the Node entry (which
 * registers a fast native backend) is a change of this line only.
 */
export * from '../src/index.js';
