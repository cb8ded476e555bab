export { writeFileAtomic } from './atomic.js';
