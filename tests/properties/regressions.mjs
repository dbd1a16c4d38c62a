// Counterexamples the property layer found, replayed by every `npm test`
// (tests/properties/properties.test.mjs): fast-check's seed and path of each (and the known
// bugs its generators left out when it was found, `avoid`), with what it showed. A seed and
// path stay meaningful only while the generators and MAX_OPS in harness.mjs are unchanged:
// when they change, find the cases again (`npm run soak`, or the test named in `what`) and
// replace them here. Runs are real I/O: a case that depends on timing may pass on a replay.
export const REGRESSIONS = [];
