import { describeSnapshotStore } from './snapshot-store.conformance.js';
import { MemorySnapshotStore } from './memory-snapshot-store.js';

const store = new MemorySnapshotStore();
describeSnapshotStore('memory', () => store);
