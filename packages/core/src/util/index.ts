export { Rng } from './random.js';
