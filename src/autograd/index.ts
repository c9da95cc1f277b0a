export { backward, gradBuffer, gradBufferToOverwrite, isGradEnabled, needsGrad, noGrad, record } from './graph.js';
export { gradcheck } from './gradcheck.js';
export type { GradcheckOptions, GradcheckReport, GradcheckInputReport } from './gradcheck.js';
