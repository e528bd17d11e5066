import { describe } from 'vitest';
import { QdrantOutcomeMemory } from '../index.js';
import { describeOutcomeMemory } from '../memory.conformance.js';

// No Qdrant server can run on this project's test machines: this suite runs only against a real
// one named by QDRANT_URL (e.g. the docker-compose service), never against a stand-in.
const url = process.env.QDRANT_URL;

describe.skipIf(!url)('actors qdrant outcome memory (needs QDRANT_URL)', () => {
  const memory = new QdrantOutcomeMemory({ url: url ?? 'http://unset' }, `oi_outcome_memory_test_${Date.now()}`);
  describeOutcomeMemory('qdrant', () => memory);
});
